namespace DataFirst.Cli.Tests.Infrastructure;

/// <summary>
/// Measures every <c>[Function(...)]</c> method of the Functions app from its C# text: the number of
/// non-blank, non-comment lines of its body (between the braces, or of an expression body from
/// <c>=&gt;</c> to the closing <c>;</c>). Strings and chars are skipped when matching braces.
/// </summary>
internal static class FunctionGlueChecker
{
    public const int MaxBodyLines = 15;

    public sealed record FunctionBody(string File, string Name, int Lines);

    public static IReadOnlyList<FunctionBody> Measure(string file, string text)
    {
        var result = new List<FunctionBody>();
        var at = 0;
        while ((at = text.IndexOf("[Function(", at, StringComparison.Ordinal)) >= 0)
        {
            var nameStart = at + "[Function(".Length;
            var name = text[nameStart..text.IndexOf(")]", nameStart, StringComparison.Ordinal)];
            var (bodyStart, expression) = FindBodyStart(text, nameStart);
            var bodyEnd = expression ? Scan(text, bodyStart, stopAtSemicolon: true) : Scan(text, bodyStart, stopAtSemicolon: false);
            var body = expression ? text[bodyStart..(bodyEnd + 1)] : text[(bodyStart + 1)..bodyEnd];
            var lines = body.Split('\n').Select(l => l.Trim()).Count(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal));
            result.Add(new FunctionBody(file, name, lines));
            at = bodyEnd;
        }

        return result;
    }

    // After the attribute: the first '{' or "=>" outside parentheses, brackets and strings.
    private static (int Index, bool Expression) FindBodyStart(string text, int from)
    {
        var depth = 2; // inside "[Function(": one bracket, one parenthesis
        for (var i = from; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '"' or '\'')
            {
                i = SkipLiteral(text, i);
            }
            else if (ch is '(' or '[')
            {
                depth++;
            }
            else if (ch is ')' or ']')
            {
                depth--;
            }
            else if (depth == 0 && ch == '{')
            {
                return (i, false);
            }
            else if (depth == 0 && ch == '=' && i + 1 < text.Length && text[i + 1] == '>')
            {
                return (i, true);
            }
        }

        throw new FormatException("function without a body");
    }

    // From a '{' to its matching '}', or from "=>" to the ';' ending the expression.
    private static int Scan(string text, int from, bool stopAtSemicolon)
    {
        var depth = 0;
        for (var i = from; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '"' or '\'')
            {
                i = SkipLiteral(text, i);
            }
            else if (ch == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                i = text.IndexOf('\n', i) is var n and >= 0 ? n : text.Length;
            }
            else if (ch is '{' or '(' or '[')
            {
                depth++;
            }
            else if (ch is '}' or ')' or ']')
            {
                depth--;
                if (!stopAtSemicolon && depth == 0)
                {
                    return i;
                }
            }
            else if (stopAtSemicolon && ch == ';' && depth == 0)
            {
                return i;
            }
        }

        throw new FormatException("unterminated function body");
    }

    // Returns the index of the closing quote; handles escapes and "{...}" in interpolated strings only as text.
    private static int SkipLiteral(string text, int open)
    {
        var quote = text[open];
        var verbatim = open > 0 && text[open - 1] == '@';
        for (var i = open + 1; i < text.Length; i++)
        {
            if (!verbatim && text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == quote)
                {
                    i++;
                    continue;
                }

                return i;
            }
        }

        return text.Length - 1;
    }
}

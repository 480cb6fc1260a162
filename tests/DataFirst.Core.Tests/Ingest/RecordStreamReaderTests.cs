using System.Text;
using DataFirst.Core.Ingest;

namespace DataFirst.Core.Tests.Ingest;

public sealed class RecordStreamReaderTests
{
    private static readonly int[] Integers = [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, int.MaxValue, -1, int.MinValue];
    private static readonly string[] Strings = ["", "a", "Zoë", "\U0001F600", new string('x', 100), "SW1A 1AA"];

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1 << 16)]
    public void Read_WhatBinaryWriterWrote_GivesItBack_AtAnyBufferSize(int bufferBytes)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var n in Integers)
                {
                    w.Write7BitEncodedInt(n);
                    w.Write(n);
                }

                foreach (var s in Strings)
                {
                    w.Write(s);
                    w.Write7BitEncodedInt(s.Length);
                    w.Write(s);
                    w.Write(s.Length + 0.25);
                }
            }
        }

        ms.Position = 0;
        var r = new RecordStreamReader(ms, bufferBytes);
        var scratch = new char[2]; // grown by ReadChars
        for (var round = 0; round < 3; round++)
        {
            foreach (var n in Integers)
            {
                r.ReadVarInt().Should().Be(n);
                r.ReadInt32().Should().Be(n);
            }

            foreach (var s in Strings)
            {
                r.ReadString().Should().Be(s);
                r.ReadVarInt().Should().Be(s.Length);
                r.ReadChars(ref scratch).ToString().Should().Be(s);
                r.ReadDouble().Should().Be(s.Length + 0.25);
            }
        }

        r.Invoking(x => x.ReadVarInt()).Should().Throw<EndOfStreamException>();
    }

    [Theory]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0x05, (byte)'a', (byte)'b' })]
    public void Read_StreamEndingInsideAValue_IsEndOfStream(byte[] bytes)
    {
        var r = new RecordStreamReader(new MemoryStream(bytes), 16);
        r.Invoking(x => x.ReadString()).Should().Throw<EndOfStreamException>();

        var scratch = new char[4];
        new RecordStreamReader(new MemoryStream(bytes), 16).Invoking(x => x.ReadChars(ref scratch)).Should().Throw<EndOfStreamException>();
    }

    [Fact]
    public void ReadChars_StringLongerThanTheBuffer_IsReadWhole_AndNamesTheStreamKindInErrors()
    {
        var text = string.Concat(Enumerable.Repeat("Zoë-", 20)); // 100 UTF-8 bytes, buffer 16
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(text);
            w.Write((byte)0xFF); // the start of an overlong 7-bit integer
            w.Write(-1);
        }

        ms.Position = 0;
        var scratch = Array.Empty<char>();
        var r = new RecordStreamReader(ms, 16, kind: "term-frequency");
        r.ReadChars(ref scratch).ToString().Should().Be(text);
        r.Invoking(x => x.ReadVarInt()).Should().Throw<DataFirst.Core.Settings.FormatException>().WithMessage("term-frequency stream is corrupt: *");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x10 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0, 0, 0, 0 })]
    public void ReadVarInt_LongerThanAnInt_IsAFormatError_AsInBinaryReader(byte[] bytes)
    {
        new BinaryReader(new MemoryStream(bytes)).Invoking(x => x.Read7BitEncodedInt()).Should().Throw<System.FormatException>();

        new RecordStreamReader(new MemoryStream(bytes), 16).Invoking(x => x.ReadVarInt()).Should().Throw<DataFirst.Core.Settings.FormatException>();
        // After a first value has filled the buffer, the same bytes are decoded by the in-buffer path.
        var buffered = new RecordStreamReader(new MemoryStream([0x00, .. bytes, .. new byte[8]]), 32);
        buffered.ReadVarInt().Should().Be(0);
        buffered.Invoking(x => x.ReadVarInt()).Should().Throw<DataFirst.Core.Settings.FormatException>();
    }
}

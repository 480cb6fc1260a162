namespace DataFirst.Core.Synthetic;

/// <summary>
/// Name, street and place tables for the synthetic population. Frequencies are skewed like real
/// British names: a handful of surnames (Smith, Jones, ...) are very common, most are rare, so
/// term-frequency adjustment matters for linkage.
/// </summary>
internal static class NameData
{
    // Forenames ordered roughly by popularity; drawn with a Zipf skew.
    public static readonly string[] MaleForenames =
    [
        "James", "John", "David", "Michael", "Daniel", "Thomas", "Christopher", "Matthew", "Paul", "Andrew",
        "Robert", "William", "Mark", "Richard", "Joseph", "Jack", "Ryan", "Liam", "Anthony", "Steven",
        "Lee", "Jonathan", "Benjamin", "Samuel", "Adam", "Kevin", "Peter", "Stephen", "Nicholas", "Alexander",
        "Luke", "Joshua", "Craig", "Jamie", "Carl", "Edward", "Callum", "Oliver", "Dean", "Scott",
        "Gary", "Wayne", "Kenneth", "Patrick", "Charles", "Henry", "Frederick", "Gregory", "Timothy", "Nathan",
        "Mohammed", "Muhammad", "Ahmed", "Imran", "Kyle", "Connor", "Harry", "Jordan", "Aaron", "Shane",
        "Darren", "Martin", "Ian", "Simon", "Neil", "Jason", "Ronald", "Lawrence", "Zachary", "Tyler",
        "Kwame", "Tomasz", "Piotr", "Seán", "Ruairí", "José", "Declan", "Rhys", "Dylan", "Owen",
    ];

    public static readonly string[] FemaleForenames =
    [
        "Sarah", "Emma", "Laura", "Rebecca", "Jessica", "Hannah", "Charlotte", "Amy", "Sophie", "Elizabeth",
        "Katherine", "Victoria", "Samantha", "Nicola", "Michelle", "Lisa", "Claire", "Kelly", "Gemma", "Stacey",
        "Jennifer", "Emily", "Chloe", "Lauren", "Danielle", "Natalie", "Amanda", "Deborah", "Susan", "Patricia",
        "Margaret", "Catherine", "Christine", "Joanne", "Stephanie", "Jacqueline", "Kimberley", "Abigail", "Eleanor", "Olivia",
        "Amelia", "Grace", "Megan", "Jade", "Leanne", "Kirsty", "Donna", "Karen", "Tracey", "Julie",
        "Fatima", "Ayesha", "Aisha", "Shannon", "Paige", "Holly", "Alexandra", "Louise", "Helen", "Rachel",
        "Zoë", "Chloé", "Siân", "Niamh", "Agnieszka", "Aoife", "Bethany", "Courtney", "Demi", "Jodie",
    ];

    /// <summary>Diminutives and nicknames: the first is the most used.</summary>
    public static readonly Dictionary<string, string[]> Nicknames = new(StringComparer.Ordinal)
    {
        ["James"] = ["Jim", "Jimmy", "Jamie"], ["John"] = ["Jack", "Johnny"], ["David"] = ["Dave", "Davy"],
        ["Michael"] = ["Mike", "Mick"], ["Daniel"] = ["Dan", "Danny"], ["Thomas"] = ["Tom", "Tommy"],
        ["Christopher"] = ["Chris", "Kit"], ["Matthew"] = ["Matt"], ["Andrew"] = ["Andy", "Drew"],
        ["Robert"] = ["Rob", "Bob", "Bobby"], ["William"] = ["Will", "Bill", "Billy"], ["Richard"] = ["Rich", "Rick", "Dick"],
        ["Joseph"] = ["Joe", "Joey"], ["Anthony"] = ["Tony", "Ant"], ["Steven"] = ["Steve"], ["Stephen"] = ["Steve"],
        ["Jonathan"] = ["Jon", "Jonny"], ["Benjamin"] = ["Ben", "Benny"], ["Samuel"] = ["Sam", "Sammy"],
        ["Peter"] = ["Pete"], ["Nicholas"] = ["Nick", "Nicky"], ["Alexander"] = ["Alex", "Sandy"], ["Joshua"] = ["Josh"],
        ["Edward"] = ["Ed", "Eddie", "Ted"], ["Callum"] = ["Cal"], ["Oliver"] = ["Ollie"], ["Kenneth"] = ["Ken", "Kenny"],
        ["Patrick"] = ["Pat", "Paddy"], ["Charles"] = ["Charlie", "Chas"], ["Henry"] = ["Harry", "Hal"],
        ["Frederick"] = ["Fred", "Freddie"], ["Gregory"] = ["Greg"], ["Timothy"] = ["Tim"], ["Nathan"] = ["Nate"],
        ["Ronald"] = ["Ron", "Ronnie"], ["Lawrence"] = ["Larry", "Laurie"], ["Zachary"] = ["Zac", "Zack"],
        ["Mohammed"] = ["Mo"], ["Muhammad"] = ["Mo"], ["Jamie"] = ["Jay"], ["Jordan"] = ["Jordy"],
        ["Elizabeth"] = ["Liz", "Beth", "Lizzie"], ["Katherine"] = ["Kate", "Kathy", "Katie"], ["Catherine"] = ["Cath", "Kate", "Cathy"],
        ["Victoria"] = ["Vicky", "Tori"], ["Samantha"] = ["Sam", "Sammie"], ["Nicola"] = ["Nicky", "Nic"],
        ["Rebecca"] = ["Becky", "Becca"], ["Jessica"] = ["Jess", "Jessie"], ["Jennifer"] = ["Jen", "Jenny"],
        ["Danielle"] = ["Dani"], ["Natalie"] = ["Nat"], ["Amanda"] = ["Mandy"], ["Deborah"] = ["Debbie", "Deb"],
        ["Susan"] = ["Sue", "Susie"], ["Patricia"] = ["Pat", "Trish"], ["Margaret"] = ["Maggie", "Peggy", "Meg"],
        ["Christine"] = ["Chris", "Chrissie"], ["Stephanie"] = ["Steph"], ["Jacqueline"] = ["Jackie"],
        ["Kimberley"] = ["Kim"], ["Abigail"] = ["Abby", "Abi"], ["Eleanor"] = ["Ellie", "Nell"], ["Olivia"] = ["Liv", "Livvy"],
        ["Emily"] = ["Em", "Emmy"], ["Charlotte"] = ["Lottie", "Charlie"], ["Alexandra"] = ["Alex", "Lexi"],
        ["Joanne"] = ["Jo"], ["Sophie"] = ["Soph"], ["Hannah"] = ["Han"], ["Laura"] = ["Laurie"], ["Amelia"] = ["Millie"],
        ["Bethany"] = ["Beth"], ["Tracey"] = ["Trace"], ["Rachel"] = ["Rach"], ["Louise"] = ["Lou"], ["Helen"] = ["Nell"],
    };

    /// <summary>Common surnames with their (approximate) share of the population, most common first.</summary>
    public static readonly (string Name, double Share)[] CommonSurnames =
    [
        ("Smith", 0.0110), ("Jones", 0.0075), ("Williams", 0.0060), ("Taylor", 0.0050), ("Brown", 0.0050),
        ("Davies", 0.0045), ("Evans", 0.0040), ("Wilson", 0.0035), ("Thomas", 0.0035), ("Johnson", 0.0033),
        ("Roberts", 0.0033), ("Robinson", 0.0030), ("Thompson", 0.0030), ("Wright", 0.0029), ("Walker", 0.0028),
        ("White", 0.0027), ("Edwards", 0.0026), ("Hughes", 0.0025), ("Green", 0.0024), ("Hall", 0.0024),
        ("Lewis", 0.0023), ("Harris", 0.0023), ("Clarke", 0.0022), ("Patel", 0.0022), ("Jackson", 0.0020),
        ("Wood", 0.0020), ("Turner", 0.0019), ("Martin", 0.0019), ("Cooper", 0.0018), ("Hill", 0.0018),
        ("Ward", 0.0017), ("Morris", 0.0017), ("Moore", 0.0017), ("Clark", 0.0016), ("Lee", 0.0016),
        ("King", 0.0016), ("Baker", 0.0016), ("Harrison", 0.0015), ("Morgan", 0.0015), ("Allen", 0.0015),
        ("James", 0.0015), ("Scott", 0.0014), ("Phillips", 0.0014), ("Watson", 0.0014), ("Davis", 0.0014),
        ("Parker", 0.0013), ("Price", 0.0013), ("Bennett", 0.0013), ("Young", 0.0013), ("Griffiths", 0.0013),
        ("Mitchell", 0.0012), ("Kelly", 0.0012), ("Cook", 0.0012), ("Carter", 0.0012), ("Richardson", 0.0012),
        ("Bailey", 0.0011), ("Collins", 0.0011), ("Bell", 0.0011), ("Shaw", 0.0011), ("Murphy", 0.0011),
        ("Khan", 0.0011), ("Ali", 0.0010), ("Begum", 0.0010), ("Singh", 0.0010), ("Ahmed", 0.0010),
        ("Hussain", 0.0010), ("O'Brien", 0.0005), ("Nowak", 0.0004), ("Kowalski", 0.0003), ("Okafor", 0.0003),
        ("Mensah", 0.0003), ("Nguyen", 0.0003), ("Chen", 0.0003), ("Müller", 0.0002), ("Núñez", 0.0002),
        ("McDonald", 0.0006), ("O'Neill", 0.0005), ("Fitzgerald", 0.0004), ("Ní Bhriain", 0.0001), ("Smith-Jones", 0.0001),
    ];

    // Rare surnames are composed from these parts (about 90 x 45 distinct values, Zipf-skewed).
    public static readonly string[] SurnamePrefixes =
    [
        "Ash", "Black", "Brad", "Brook", "Burn", "Car", "Chad", "Clay", "Cole", "Craw", "Dal", "Dun", "Elling", "Farn", "Fair",
        "Fen", "Gar", "Glad", "Hal", "Ham", "Hart", "Hay", "Hex", "Holl", "Horn", "Kel", "Ken", "Kirk", "Lang", "Lath",
        "Lind", "Lock", "Mar", "Mel", "Mill", "Mor", "New", "Nor", "Oak", "Pem", "Pen", "Rad", "Ram", "Red", "Rod",
        "Roth", "Sal", "Sand", "Shel", "Sher", "Stan", "Stock", "Stra", "Sut", "Thorn", "Thurs", "Tem", "War", "Wat", "Wel",
        "Wes", "Whit", "Wick", "Win", "Wool", "Wy", "Bar", "Bel", "Bick", "Bland", "Cart", "Dray", "Fother", "Grims", "Hather",
        "Ilk", "Kings", "Mans", "Pad", "Pick", "Ross", "Sel", "Tad", "Up", "Ver", "Yar", "Ald", "Bur", "Cran", "Dor",
    ];

    public static readonly string[] SurnameSuffixes =
    [
        "ton", "ley", "field", "worth", "ford", "by", "ham", "well", "more", "wood", "stone", "bridge", "er", "land", "combe",
        "hurst", "den", "wick", "thorpe", "dale", "ington", "ridge", "brook", "cliffe", "shaw", "gate", "borough", "man", "son", "lock",
        "hill", "grove", "croft", "lowe", "ney", "cott", "fold", "ings", "over", "sey", "stead", "ward", "win", "mere", "ock",
    ];

    public static readonly string[] StreetNames =
    [
        "Church", "Station", "Victoria", "Park", "Mill", "Green", "Manor", "Queens", "Kings", "Albert", "Grange", "Highfield",
        "New", "School", "North", "South", "West", "Springfield", "Chapel", "Windsor", "Alexandra", "Beech", "Oak", "Elm",
        "Willow", "Cedar", "Meadow", "Orchard", "Castle", "Bridge", "Market", "Hill", "Stanley", "York", "Richmond", "George",
        "Nelson", "Clarence", "Derby", "Granville", "Linden", "Moor", "Priory", "Rectory", "Sandy", "Thornton", "Wellington", "Cromwell",
    ];

    public static readonly string[] StreetTypes =
        ["Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Grove", "Court", "Place", "Terrace", "Gardens"];

    // Postcode inward unit letters never use C, I, K, M, O or V.
    public const string PostcodeUnitLetters = "ABDEFGHJLNPQRSTUWXYZ";
}

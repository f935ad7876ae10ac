using Microsoft.ML.Data;

namespace PyTorchDdp;

/// <summary>One row of an ETT-format CSV: date,HUFL,HULL,MUFL,MULL,LUFL,LULL,OT.</summary>
public sealed class EttRow
{
    public static readonly string[] ValueColumns = { "HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT" };

    [LoadColumn(0)] public string Date { get; set; } = "";
    [LoadColumn(1)] public float HUFL { get; set; }
    [LoadColumn(2)] public float HULL { get; set; }
    [LoadColumn(3)] public float MUFL { get; set; }
    [LoadColumn(4)] public float MULL { get; set; }
    [LoadColumn(5)] public float LUFL { get; set; }
    [LoadColumn(6)] public float LULL { get; set; }
    [LoadColumn(7)] public float OT { get; set; }
}

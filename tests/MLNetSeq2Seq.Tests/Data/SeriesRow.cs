using System;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// One time step of a generated series: a timestamp as text, three Single columns, a Double and an Int32 column.
/// Every value differs from row to row and from column to column, so a window read from the wrong row or column
/// shows.
/// </summary>
public sealed class SeriesRow
{
    public string Time { get; set; } = "";
    public float A { get; set; }
    public float B { get; set; }
    public float C { get; set; }
    public double D { get; set; }
    public int E { get; set; }

    /// <summary>The value of a numeric column, by name, as the windows should hold it (Single).</summary>
    public float Value(string column) => column switch
    {
        nameof(A) => A,
        nameof(B) => B,
        nameof(C) => C,
        nameof(D) => (float)D,
        nameof(E) => E,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, null),
    };
}

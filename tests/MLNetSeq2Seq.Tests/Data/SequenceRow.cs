using System;
using System.Linq;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>An input row: a feature sequence and one pass-through column of each kind (float, text, vector, bool, key).</summary>
public sealed class SequenceRow
{
    /// <summary>Variable length: L × F floats, time-major.</summary>
    public float[] Features { get; set; } = Array.Empty<float>();

    public float Weight { get; set; }

    public string Name { get; set; } = "";

    [VectorType(3)]
    public float[] Extra { get; set; } = new float[3];

    public bool Flag { get; set; }

    /// <summary>0-based here; ML.NET's data view reads it 1-based (0 means missing there).</summary>
    [KeyType(10)]
    public uint Category { get; set; }

    /// <summary><paramref name="count"/> rows of <paramref name="inputLength"/> steps × <paramref name="featureCount"/> features; every value differs from row to row.</summary>
    public static SequenceRow[] Create(int count, int inputLength = 4, int featureCount = 3) =>
        Enumerable.Range(0, count).Select(i => Make(i, inputLength * featureCount)).ToArray();

    /// <summary>Row <paramref name="i"/> with <paramref name="featureValues"/> feature values, multiples of 0.25.</summary>
    public static SequenceRow Make(int i, int featureValues) => new()
    {
        Features = Enumerable.Range(0, featureValues).Select(j => ((i * 31 + j * 7) % 17 - 8) * 0.25f).ToArray(),
        Weight = i * 0.5f,
        Name = "row " + i,
        Extra = new[] { i, -i, i * 0.125f },
        Flag = i % 3 == 0,
        Category = (uint)(i % 10),
    };
}

/// <summary>What a prediction engine fills from the output row.</summary>
public sealed class ScoredSequence
{
    public float[] Score { get; set; } = Array.Empty<float>();

    public string Name { get; set; } = "";
}

using System;
using System.IO;

namespace Deploy;

/// <summary>
/// Windows and the scores Transform gave them, in a small binary file the Train app writes next to the .onnx and the
/// Serve app reads back to check ONNX Runtime against Transform without ML.NET or TorchSharp. Serve compiles this
/// same file (linked), so both sides read and write one format.
/// </summary>
/// <remarks>
/// Binary format (little-endian), written and read in this order:
///   int32 magic "S2SW", int32 version,
///   int32 row count N, int32 input length L, int32 feature count F, int32 horizon H, int32 output count O,
///   float32[N·L·F] features (row after row, time-major), float32[N·H·O] scores (row after row, time-major).
/// Version history: 1 — first version.
/// </remarks>
public sealed class ScoredWindows
{
    private const int Magic = 0x57533253; // "S2SW"
    private const int Version = 1;

    public ScoredWindows(int rowCount, int inputLength, int featureCount, int horizon, int outputCount, float[] features, float[] scores)
    {
        if (features.Length != rowCount * inputLength * featureCount)
            throw new ArgumentException($"{features.Length} feature values for {rowCount} rows of {inputLength} × {featureCount}.", nameof(features));
        if (scores.Length != rowCount * horizon * outputCount)
            throw new ArgumentException($"{scores.Length} score values for {rowCount} rows of {horizon} × {outputCount}.", nameof(scores));
        (RowCount, InputLength, FeatureCount, Horizon, OutputCount, Features, Scores) = (rowCount, inputLength, featureCount, horizon, outputCount, features, scores);
    }

    public int RowCount { get; }
    public int InputLength { get; }
    public int FeatureCount { get; }
    public int Horizon { get; }
    public int OutputCount { get; }

    /// <summary>N × L × F input values, row after row, time-major.</summary>
    public float[] Features { get; }

    /// <summary>N × H × O scores from Transform, row after row, time-major.</summary>
    public float[] Scores { get; }

    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Magic);
        writer.Write(Version);
        foreach (int value in new[] { RowCount, InputLength, FeatureCount, Horizon, OutputCount })
            writer.Write(value);
        foreach (float value in Features)
            writer.Write(value);
        foreach (float value in Scores)
            writer.Write(value);
    }

    public static ScoredWindows Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadInt32() != Magic)
            throw new InvalidDataException($"{path} is not a scored-windows file (written by examples/Deploy/Train).");
        int version = reader.ReadInt32();
        if (version != Version)
            throw new InvalidDataException($"{path} has scored-windows format version {version}; this app reads version {Version}.");
        int n = reader.ReadInt32(), l = reader.ReadInt32(), f = reader.ReadInt32(), h = reader.ReadInt32(), o = reader.ReadInt32();
        float[] Read(int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
                values[i] = reader.ReadSingle();
            return values;
        }
        float[] features = Read(n * l * f);
        return new ScoredWindows(n, l, f, h, o, features, Read(n * h * o));
    }

    /// <summary>The largest absolute difference between two score arrays of the same length; infinity for a non-finite value.</summary>
    public static double MaxAbsoluteDifference(float[] expected, float[] actual)
    {
        if (expected.Length != actual.Length)
            throw new InvalidOperationException($"{expected.Length} expected values, {actual.Length} actual.");
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, float.IsFinite(actual[i]) ? Math.Abs(expected[i] - actual[i]) : double.PositiveInfinity);
        return worst;
    }
}

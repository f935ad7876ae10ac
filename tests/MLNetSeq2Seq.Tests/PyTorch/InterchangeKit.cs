using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetSeq2Seq.ModelFile;
using MLNetSeq2Seq.Networks;
using MLNetSeq2Seq.PyTorch;
using TorchSharp;
using Xunit;

namespace MLNetSeq2Seq.Tests.PyTorch;

/// <summary>Moving test data between C# and the python driver (safetensors files) and comparing scores.</summary>
internal static class InterchangeKit
{
    /// <summary>Writes float tensors (name → shape, values) as safetensors with the library's own writer.</summary>
    public static void WriteTensors(string path, params (string Name, long[] Shape, float[] Values)[] tensors)
    {
        var map = tensors.ToDictionary(t => t.Name, t => new SafeTensor(t.Shape, t.Values));
        using var stream = File.Create(path);
        new SafeTensorsFile(new Dictionary<string, string>(), map).Write(stream);
    }

    public static float[] ReadTensor(string path, string name)
    {
        using var stream = File.OpenRead(path);
        return SafeTensorsFile.Read(stream).Tensors[name].Values;
    }

    /// <summary>Every row's features, time-major, concatenated: an (N, L, F) tensor's values.</summary>
    public static float[] Features(IEnumerable<SyntheticSequences.Row> rows) => rows.SelectMany(r => r.Features).ToArray();

    public static float[] Labels(IEnumerable<SyntheticSequences.Row> rows) => rows.SelectMany(r => r.Label).ToArray();

    /// <summary>Transform's Score column, all rows concatenated.</summary>
    public static float[] Scores(MLContext ml, ITransformer model, IDataView data) =>
        model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();

    public static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst]))
                worst = i;
        double error = Math.Abs(expected[worst] - actual[worst]);
        Assert.True(error <= tolerance, $"{what}: value {worst} is {actual[worst]}, expected {expected[worst]} (off by {error:G3}, tolerance {tolerance:G3})");
        Assert.Contains(expected, v => Math.Abs(v) > 1e-3); // not a comparison of zeros
    }

    /// <summary>A transformer around a freshly initialised network (no Fit): what export and import need to be tested.</summary>
    public static Seq2SeqTransformer Untrained(NetworkArchitecture architecture, int seed = 5, string[]? scoreSlotNames = null)
    {
        TorchRuntime.EnsureLoaded();
        var history = new TrainingHistory(Array.Empty<EpochSummary>(), 0, false, 0);
        return new Seq2SeqTransformer(NetworkFactory.Create(architecture, seed), new Seq2SeqModelState("Features", "Score", 256, history, scoreSlotNames), torch.CPU, host: null);
    }
}

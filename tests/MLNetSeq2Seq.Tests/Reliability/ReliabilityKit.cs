using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>Shared pieces of the reliability tests: log capture, exception chains, odd rows.</summary>
internal static class ReliabilityKit
{
    /// <summary>Every message the MLContext logs from now on (thread-safe).</summary>
    public static List<string> CaptureLog(MLContext ml)
    {
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
                messages.Add(e.Message);
        };
        return messages;
    }

    /// <summary>The exception and its inner exceptions, outermost first.</summary>
    public static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
            yield return e;
    }

    /// <summary>The first exception of type <typeparamref name="T"/> in the chain; fails when there is none.</summary>
    public static T Find<T>(Exception exception) where T : Exception =>
        Chain(exception).OfType<T>().FirstOrDefault()
        ?? throw new Xunit.Sdk.XunitException($"No {typeof(T).Name} in: {string.Join(" | ", Chain(exception).Select(e => $"{e.GetType().Name}: {e.Message}"))}");

    /// <summary>Synthetic rows (2 features, horizon 4) with <paramref name="change"/> applied to row <paramref name="row"/>.</summary>
    public static List<SyntheticSequences.Row> RowsWith(int count, int seed, int row, Action<SyntheticSequences.Row> change)
    {
        var rows = SyntheticSequences.Generate(count, seed);
        change(rows[row]);
        return rows;
    }

    /// <summary>Options for a tiny, fast model.</summary>
    public static Seq2SeqOptions TinyOptions(int maxEpochs = 2)
    {
        Seq2SeqOptions options = SyntheticSequences.SmallOptions(maxEpochs);
        options.HiddenSize = 8;
        options.BatchSize = 16;
        return options;
    }

    /// <summary>Rows whose feature column has no [L, F] dimensions and a length chosen per test.</summary>
    public sealed class FlatRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();

        [VectorType(8)]
        public float[] Label { get; set; } = new float[8];
    }

    public static FlatRow[] FlatRows(int count, int featureValues, int badRow = -1, int badFeatureValues = 0) =>
        Enumerable.Range(0, count).Select(i => new FlatRow
        {
            Features = Enumerable.Range(0, i == badRow ? badFeatureValues : featureValues).Select(j => (float)Math.Sin(i + j)).ToArray(),
            Label = Enumerable.Range(0, 8).Select(j => (float)Math.Cos(i - j)).ToArray(),
        }).ToArray();
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using MLNetSeq2Seq.Scoring;

namespace MLNetSeq2Seq.Tests.Data;

/// <summary>
/// A deterministic test double of <see cref="ISequenceScorer"/>: score[h, o] = (sum of the row's features) × (h + 1) + o.
/// It records every call (rows, input length) and checks the span sizes it is given. Thread-safe.
/// </summary>
internal sealed class CountingSequenceScorer : ISequenceScorer
{
    private readonly ConcurrentQueue<(int RowCount, int InputLength)> _calls = new();
    private readonly ConcurrentDictionary<int, bool> _threads = new();
    private int _callCount;

    public CountingSequenceScorer(int inputFeatureCount, int horizon, int outputFeatureCount)
    {
        InputFeatureCount = inputFeatureCount;
        Horizon = horizon;
        OutputFeatureCount = outputFeatureCount;
    }

    public int InputFeatureCount { get; }

    public int OutputFeatureCount { get; }

    public int Horizon { get; }

    /// <summary>Whether blocks may mix input lengths (right-padded); rows' padding is zeros, so the sums are unchanged.</summary>
    public bool ScoresMixedLengths { get; init; }

    /// <summary>When false, calls are only counted (the allocation test needs a scorer that allocates nothing).</summary>
    public bool RecordCalls { get; set; } = true;

    public int CallCount => Volatile.Read(ref _callCount);

    /// <summary>(rows, input length) of every call, in the order they were made.</summary>
    public IReadOnlyList<(int RowCount, int InputLength)> Calls => _calls.ToArray();

    /// <summary>How many threads have called <see cref="Score"/> (recorded calls only).</summary>
    public int ThreadCount => _threads.Count;

    public void Score(ReadOnlySpan<float> features, int rowCount, int inputLength, ReadOnlySpan<int> rowLengths, Span<float> scores)
    {
        int rowSize = inputLength * InputFeatureCount, scoreSize = Horizon * OutputFeatureCount;
        if (rowCount <= 0 || inputLength <= 0 || features.Length != rowCount * rowSize || scores.Length != rowCount * scoreSize)
            throw new InvalidOperationException($"Bad Score call: {rowCount} rows of length {inputLength}, {features.Length} features, {scores.Length} scores.");
        if (!rowLengths.IsEmpty && (!ScoresMixedLengths || rowLengths.Length != rowCount))
            throw new InvalidOperationException($"Bad Score call: {rowLengths.Length} row lengths for {rowCount} rows (mixed lengths allowed: {ScoresMixedLengths}).");
        for (int row = 0; row < rowLengths.Length; row++)
        {
            if (rowLengths[row] < 1 || rowLengths[row] > inputLength || features.Slice(row * rowSize + rowLengths[row] * InputFeatureCount, (inputLength - rowLengths[row]) * InputFeatureCount).IndexOfAnyExcept(0f) >= 0)
                throw new InvalidOperationException($"Bad Score call: row {row} of length {rowLengths[row]} is not zero-padded to {inputLength}.");
        }
        for (int row = 0; row < rowCount; row++)
        {
            float sum = 0;
            foreach (float value in features.Slice(row * rowSize, rowSize))
                sum += value;
            for (int h = 0; h < Horizon; h++)
                for (int o = 0; o < OutputFeatureCount; o++)
                    scores[row * scoreSize + h * OutputFeatureCount + o] = sum * (h + 1) + o;
        }
        Interlocked.Increment(ref _callCount);
        if (RecordCalls)
        {
            _calls.Enqueue((rowCount, inputLength));
            _threads.TryAdd(Environment.CurrentManagedThreadId, true);
        }
    }

    /// <summary>
    /// The expected score of one row, computed independently of <see cref="Score"/>. Test features are multiples of
    /// 0.25 with small sums, so both sums are exact and the scores compare equal bit for bit.
    /// </summary>
    public float[] Expected(float[] features)
    {
        double sum = 0;
        foreach (float value in features)
            sum += value;
        var score = new float[Horizon * OutputFeatureCount];
        for (int h = 0; h < Horizon; h++)
            for (int o = 0; o < OutputFeatureCount; o++)
                score[h * OutputFeatureCount + o] = (float)(sum * (h + 1) + o);
        return score;
    }
}

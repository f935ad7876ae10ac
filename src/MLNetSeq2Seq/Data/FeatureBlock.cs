using System;
using Microsoft.ML.Data;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// Feature rows gathered back to back for one <see cref="ISequenceScorer.Score"/> call, and the scores that call
/// produced. Every row of a block has the same input length L; a row of another length does not fit and starts
/// the next block. Rows are checked as they arrive: the length must be a positive multiple of InputFeatureCount
/// and every value finite. Buffers are reused from block to block and only grow.
/// </summary>
internal sealed class FeatureBlock
{
    private readonly ISequenceScorer _scorer;
    private readonly string _columnName;
    private readonly int _inputFeatureCount;
    private readonly int _scoreLength;
    private float[] _features = Array.Empty<float>();
    private readonly float[] _scores;

    /// <summary>Creates an empty block for up to <paramref name="capacity"/> rows.</summary>
    /// <param name="scorer">Runs the network on the block.</param>
    /// <param name="columnName">The feature column's name, for error messages.</param>
    /// <param name="capacity">Rows per block (the inference batch size), at least 1.</param>
    public FeatureBlock(ISequenceScorer scorer, string columnName, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _scorer = scorer;
        _columnName = columnName;
        _inputFeatureCount = scorer.InputFeatureCount;
        _scoreLength = scorer.Horizon * scorer.OutputFeatureCount;
        if ((long)capacity * _scoreLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity),
                $"The inference batch size {capacity} × Horizon × OutputFeatureCount ({_scoreLength}) is too large for one buffer; lower the batch size.");
        Capacity = capacity;
        _scores = new float[capacity * _scoreLength];
    }

    /// <summary>The most rows a block holds.</summary>
    public int Capacity { get; }

    /// <summary>Rows in the block.</summary>
    public int RowCount { get; private set; }

    /// <summary>Time steps per row in this block (L); 0 while the block is empty.</summary>
    public int InputLength { get; private set; }

    /// <summary>Whether the scores are up to date with the rows.</summary>
    public bool IsScored { get; private set; }

    /// <summary>Empties the block; its buffers are kept for the next one.</summary>
    public void Clear()
    {
        RowCount = 0;
        InputLength = 0;
        IsScored = false;
    }

    /// <summary>
    /// Checks <paramref name="row"/> and appends it, densely, when it fits: returns false, adding nothing, when the
    /// block is full or the row's input length differs from the block's.
    /// </summary>
    /// <param name="row">The feature vector, L × F values, time-major; sparse vectors are read with their zeros.</param>
    /// <param name="rowPosition">The row's position in its cursor, for error messages.</param>
    /// <exception cref="InvalidOperationException">The length is not a positive multiple of F, or a value is NaN or infinite.</exception>
    public bool TryAdd(in VBuffer<float> row, long rowPosition)
    {
        int inputLength = InputLengthOf(row.Length, rowPosition);
        if (RowCount > 0 && (RowCount == Capacity || inputLength != InputLength))
            return false;

        int rowSize = row.Length;
        if (RowCount == 0)
        {
            InputLength = inputLength;
            EnsureFeatureCapacity((long)Capacity * rowSize);
        }
        Span<float> destination = _features.AsSpan(RowCount * rowSize, rowSize);
        row.CopyTo(destination);
        CheckFinite(destination, rowPosition);
        RowCount++;
        IsScored = false;
        return true;
    }

    /// <summary>Runs the scorer once over every row of the block.</summary>
    public void Score()
    {
        if (RowCount == 0)
            return;
        int featureCount = RowCount * InputLength * _inputFeatureCount;
        _scorer.Score(_features.AsSpan(0, featureCount), RowCount, InputLength, _scores.AsSpan(0, RowCount * _scoreLength));
        IsScored = true;
    }

    /// <summary>The score of row <paramref name="slot"/> of the block: Horizon × OutputFeatureCount floats, time-major.</summary>
    public ReadOnlySpan<float> ScoresOf(int slot) => _scores.AsSpan(slot * _scoreLength, _scoreLength);

    private int InputLengthOf(int valueCount, long rowPosition)
    {
        if (valueCount == 0)
            throw new InvalidOperationException(
                $"Feature column '{_columnName}' row {rowPosition} holds 0 values; a sequence needs at least one time step of InputFeatureCount = {_inputFeatureCount} values.");
        if (valueCount % _inputFeatureCount != 0)
            throw new InvalidOperationException(
                $"Feature column '{_columnName}' row {rowPosition} holds {valueCount} values, which is not a multiple of InputFeatureCount = {_inputFeatureCount}.");
        return valueCount / _inputFeatureCount;
    }

    private void EnsureFeatureCapacity(long needed)
    {
        if (needed <= _features.Length)
            return;
        if (needed > Array.MaxLength)
            throw new InvalidOperationException(
                $"A block of {Capacity} rows of {needed / Capacity} feature values each does not fit in one buffer; lower the inference batch size.");
        _features = new float[needed];
    }

    private void CheckFinite(ReadOnlySpan<float> values, long rowPosition) =>
        FiniteValues.Check(values, _inputFeatureCount, "Feature", _columnName, rowPosition,
            "features must be finite: remove or impute missing values before scoring.");
}

using System;
using Microsoft.ML.Data;
using MLNetSeq2Seq.Columns;

namespace MLNetSeq2Seq.Scoring;

/// <summary>
/// Feature rows gathered back to back for one <see cref="ISequenceScorer.Score"/> call, and the scores that call
/// produced. When the scorer takes mixed lengths (<see cref="ISequenceScorer.ScoresMixedLengths"/>) rows of any
/// length share a block, right-padded to the longest when scored; otherwise every row of a block has the same input
/// length L and a row of another length starts the next block. Rows are checked as they arrive: the length must be a positive multiple of InputFeatureCount
/// and every value finite. Buffers are reused from block to block and only grow, with the rows a block actually holds
/// (<see cref="BlockRows"/>): a large batch size (a model file may claim up to 2^20) costs memory only when that many
/// rows arrive.
/// </summary>
internal sealed class FeatureBlock
{
    private readonly ISequenceScorer _scorer;
    private readonly string _columnName;
    private readonly int _inputFeatureCount;
    private readonly int _scoreLength;
    private float[] _features = Array.Empty<float>();
    private float[] _padded = Array.Empty<float>();
    private int[] _rowLengths = Array.Empty<int>();
    private float[] _scores = Array.Empty<float>();
    private int _usedFeatures;
    private bool _mixedLengths;
    // Known-future features: Horizon × K per row, in their own buffer; empty when the scorer takes none.
    private readonly string? _futureColumnName;
    private readonly int _futureLength;
    private float[] _future = Array.Empty<float>();

    /// <summary>Creates an empty block for up to <paramref name="capacity"/> rows.</summary>
    /// <param name="scorer">Runs the network on the block.</param>
    /// <param name="columnName">The feature column's name, for error messages.</param>
    /// <param name="capacity">Rows per block (the inference batch size), at least 1.</param>
    /// <param name="futureColumnName">The known-future feature column's name, when the scorer takes them.</param>
    public FeatureBlock(ISequenceScorer scorer, string columnName, int capacity, string? futureColumnName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _scorer = scorer;
        _columnName = columnName;
        _inputFeatureCount = scorer.InputFeatureCount;
        _scoreLength = scorer.Horizon * scorer.OutputFeatureCount * (1 + scorer.QuantileCount);
        if ((long)capacity * _scoreLength > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity),
                $"The inference batch size {capacity} × Horizon × OutputFeatureCount ({_scoreLength}) is too large for one buffer; lower the batch size.");
        Capacity = capacity;
        _futureColumnName = futureColumnName;
        _futureLength = scorer.Horizon * scorer.FutureFeatureCount;
    }

    /// <summary>The most rows a block holds.</summary>
    public int Capacity { get; }

    /// <summary>Rows in the block.</summary>
    public int RowCount { get; private set; }

    /// <summary>Time steps of the block's longest row (L); 0 while the block is empty.</summary>
    public int InputLength { get; private set; }

    /// <summary>Whether the scores are up to date with the rows.</summary>
    public bool IsScored { get; private set; }

    /// <summary>Empties the block; its buffers are kept for the next one.</summary>
    public void Clear()
    {
        RowCount = 0;
        InputLength = 0;
        IsScored = false;
        _usedFeatures = 0;
        _mixedLengths = false;
    }

    /// <summary>
    /// Checks <paramref name="row"/> and appends it, densely, when it fits: returns false, adding nothing, when the
    /// block is full, or when the row's input length differs from the block's and the scorer needs equal lengths.
    /// </summary>
    /// <param name="row">The feature vector, L × F values, time-major; sparse vectors are read with their zeros.</param>
    /// <param name="rowPosition">The row's position in its cursor, for error messages.</param>
    /// <exception cref="InvalidOperationException">The length is not a positive multiple of F, or a value is NaN or infinite.</exception>
    public bool TryAdd(in VBuffer<float> row, long rowPosition) => TryAdd(row, default, rowPosition);

    /// <summary>As <see cref="TryAdd(in VBuffer{float}, long)"/>, with the row's known-future features (Horizon × K values).</summary>
    /// <exception cref="InvalidOperationException">The future features do not hold Horizon × K values, or one is not finite.</exception>
    public bool TryAdd(in VBuffer<float> row, in VBuffer<float> futureRow, long rowPosition)
    {
        int inputLength = InputLengthOf(row.Length, rowPosition);
        if (RowCount > 0 && (RowCount == Capacity || (inputLength != InputLength && !_scorer.ScoresMixedLengths)))
            return false;
        if (RowCount == _rowLengths.Length)
        {
            int rows = BlockRows.Room(RowCount + 1, Capacity);
            Array.Resize(ref _rowLengths, rows);
            if (_futureLength > 0)
            {
                if ((long)rows * _futureLength > Array.MaxLength)
                    throw new InvalidOperationException(
                        $"A block of {rows} rows of {_futureLength} known-future values each does not fit in one buffer; lower the inference batch size.");
                Array.Resize(ref _future, rows * _futureLength);
            }
        }
        if (_futureLength > 0)
        {
            if (futureRow.Length != _futureLength)
                throw new InvalidOperationException(
                    $"Future-feature column '{_futureColumnName}' row {rowPosition} holds {futureRow.Length} values, but this model takes Horizon × K = {_scorer.Horizon} × {_scorer.FutureFeatureCount} = {_futureLength} known-future values per row.");
            Span<float> futureDestination = _future.AsSpan(RowCount * _futureLength, _futureLength);
            futureRow.CopyTo(futureDestination);
            FiniteValues.Check(futureDestination, _scorer.FutureFeatureCount, "Future-feature", _futureColumnName ?? "", rowPosition,
                "known-future features must be finite: fill in the planned values before scoring.");
        }

        int rowSize = row.Length;
        EnsureFeatureCapacity(RowCount == 0 ? (long)BlockRows.Room(1, Capacity) * rowSize : (long)_usedFeatures + rowSize);
        Span<float> destination = _features.AsSpan(_usedFeatures, rowSize);
        row.CopyTo(destination);
        CheckFinite(destination, rowPosition);
        _mixedLengths |= RowCount > 0 && inputLength != InputLength;
        InputLength = Math.Max(InputLength, inputLength);
        _rowLengths[RowCount] = inputLength;
        _usedFeatures += rowSize;
        RowCount++;
        IsScored = false;
        return true;
    }

    /// <summary>Runs the scorer once over every row of the block.</summary>
    public void Score()
    {
        if (RowCount == 0)
            return;
        if (_scores.Length < RowCount * _scoreLength)
            _scores = new float[BlockRows.Room(RowCount, Capacity) * _scoreLength];
        Span<float> scores = _scores.AsSpan(0, RowCount * _scoreLength);
        if (!_mixedLengths)
        {
            _scorer.ScoreWithFuture(_features.AsSpan(0, _usedFeatures), RowCount, InputLength, ReadOnlySpan<int>.Empty, scores, Future);
            IsScored = true;
            return;
        }
        // Rows of different lengths: right-pad each to the longest, zeros after its own last step.
        int paddedRowSize = InputLength * _inputFeatureCount;
        if (_padded.Length < (long)RowCount * paddedRowSize)
        {
            long room = (long)BlockRows.Room(RowCount, Capacity) * paddedRowSize;
            _padded = new float[room <= Array.MaxLength ? room : (long)RowCount * paddedRowSize];
        }
        Span<float> padded = _padded.AsSpan(0, RowCount * paddedRowSize);
        padded.Clear();
        for (int row = 0, offset = 0; row < RowCount; row++)
        {
            int rowSize = _rowLengths[row] * _inputFeatureCount;
            _features.AsSpan(offset, rowSize).CopyTo(padded.Slice(row * paddedRowSize));
            offset += rowSize;
        }
        _scorer.ScoreWithFuture(padded, RowCount, InputLength, _rowLengths.AsSpan(0, RowCount), scores, Future);
        IsScored = true;
    }

    private ReadOnlySpan<float> Future => _future.AsSpan(0, RowCount * _futureLength);

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
        float[] larger = new float[Math.Min(Math.Max(needed, 2L * _features.Length), Array.MaxLength)];
        _features.AsSpan(0, _usedFeatures).CopyTo(larger);
        _features = larger;
    }

    private void CheckFinite(ReadOnlySpan<float> values, long rowPosition) =>
        FiniteValues.Check(values, _inputFeatureCount, "Feature", _columnName, rowPosition,
            "features must be finite: remove or impute missing values before scoring.");
}

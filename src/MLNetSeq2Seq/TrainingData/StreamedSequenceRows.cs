using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// A range of a <see cref="StreamedView"/>'s rows, read again every epoch through a shuffle pool of at most
/// PoolRows rows, so memory holds the pool and one batch, never the data. The order of an epoch depends only on
/// (seed, epoch):
/// <list type="bullet">
/// <item>a pool that holds the whole range takes every row, then visits them in <see cref="EpochPlan"/>'s order:
/// the in-memory order, so the same weights as training in memory;</item>
/// <item>a smaller pool fills with the first PoolRows rows; then each row read replaces a pooled row picked at
/// random, which goes to the next step; at the end the pool empties in a random order. Every row is visited once;
/// a row moves earlier by at most PoolRows places, so the order mixes only locally.</item>
/// </list>
/// </summary>
internal sealed class StreamedSequenceRows : ISequenceRows
{
    /// <summary>The stream of <see cref="EpochPlan.DerivedSeed"/> that the shuffle pool draws from.</summary>
    internal const int PoolRandomStream = 3;

    private readonly StreamedView _view;
    private readonly long _first;
    private readonly int _poolRows;
    private readonly int _featureWidth;
    private readonly int _labelWidth;

    public StreamedSequenceRows(StreamedView view, long firstKept, int count, int poolRows, Device device)
    {
        if (firstKept < 0 || count < 1 || firstKept + count > view.KeptRows)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{firstKept}, {firstKept + count}) are not within the {view.KeptRows} rows of {view.DataName}.");
        _view = view;
        _first = firstKept;
        Count = count;
        _poolRows = poolRows;
        Device = device;
        _featureWidth = view.InputLength * view.Shapes.InputFeatureCount;
        _labelWidth = view.Shapes.LabelLength;
        long pooled = Math.Min(poolRows, count);
        if (pooled * Math.Max(_featureWidth, _labelWidth) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(StreamingOptions.Path(nameof(StreamingOptions.ShufflePoolRows)), poolRows,
                $"A pool of {pooled} rows of {_featureWidth} feature values holds more than {Array.MaxLength} values; lower {StreamingOptions.Path(nameof(StreamingOptions.ShufflePoolRows))}.");
    }

    public int Count { get; }

    public Device Device { get; }

    /// <summary>Bytes the pool holds when full: what streaming keeps in memory besides one batch.</summary>
    public long PoolBytes => Math.Min(_poolRows, Count) * (long)(_featureWidth + _labelWidth) * sizeof(float);

    public IEnumerable<SequenceBatch> Epoch(int batchSize, int seed, int epoch)
    {
        var batch = new BatchBuffer(batchSize, _view, Device);
        StreamedRowReader? reader = _view.OpenReader(_first, Count);
        try
        {
            int poolSize = Math.Min(_poolRows, Count);
            var pool = new RowBlock(poolSize, _featureWidth, _labelWidth);
            int filled = 0;
            while (filled < poolSize && reader.MoveNext())
                pool.Read(reader, filled++);
            IEnumerable<int> drainOrder;
            if (poolSize == Count)
            {
                // Every row is pooled: the in-memory order.
                drainOrder = Slots(EpochPlan.Create(Count, batchSize, seed, epoch).Order);
            }
            else
            {
                var random = new Random(EpochPlan.DerivedSeed(seed, epoch, PoolRandomStream));
                while (reader.MoveNext())
                {
                    int slot = random.Next(poolSize);
                    if (batch.Add(pool, slot))
                        yield return batch.Take();
                    pool.Read(reader, slot);
                }
                int[] rest = new int[poolSize];
                for (int i = 0; i < poolSize; i++)
                    rest[i] = i;
                for (int i = poolSize - 1; i > 0; i--)
                {
                    int j = random.Next(i + 1);
                    (rest[i], rest[j]) = (rest[j], rest[i]);
                }
                drainOrder = rest;
            }
            foreach (int slot in drainOrder)
            {
                if (batch.Add(pool, slot))
                    yield return batch.Take();
            }
            if (batch.Count > 0)
                yield return batch.Take();
            // Every row of the range read: the held-out rows that follow (ValidationFraction) continue this cursor.
            _view.Park(reader);
            reader = null;
        }
        finally
        {
            reader?.Dispose();
            batch.Dispose();
        }
    }

    public IEnumerable<SequenceBatch> InOrder(int batchSize)
    {
        var batch = new BatchBuffer(batchSize, _view, Device);
        using StreamedRowReader reader = _view.OpenReader(_first, Count);
        var row = new RowBlock(1, _featureWidth, _labelWidth);
        try
        {
            while (reader.MoveNext())
            {
                row.Read(reader, 0);
                if (batch.Add(row, 0))
                    yield return batch.Take();
            }
            if (batch.Count > 0)
                yield return batch.Take();
        }
        finally
        {
            batch.Dispose();
        }
    }

    public void AppendFingerprint(IncrementalHash hash)
    {
        hash.AppendData(_view.Fingerprint);
        hash.AppendData(BitConverter.GetBytes(_first));
        hash.AppendData(BitConverter.GetBytes((long)Count));
    }

    private static IEnumerable<int> Slots(long[] order)
    {
        foreach (long row in order)
            yield return (int)row;
    }

    /// <summary>Rows of dense features and labels, back to back.</summary>
    private sealed class RowBlock(int rows, int featureWidth, int labelWidth)
    {
        public float[] Features { get; } = new float[(long)rows * featureWidth];
        public float[] Labels { get; } = new float[(long)rows * labelWidth];
        public int FeatureWidth => featureWidth;
        public int LabelWidth => labelWidth;

        public void Read(StreamedRowReader reader, int slot) =>
            reader.CopyTo(Features.AsSpan(slot * featureWidth, featureWidth), Labels.AsSpan(slot * labelWidth, labelWidth));
    }

    /// <summary>Collects rows for one step; <see cref="Take"/> turns them into tensors on the device, which live until the next Take or Dispose.</summary>
    private sealed class BatchBuffer : IDisposable
    {
        private readonly int _capacity;
        private readonly StreamedView _view;
        private readonly Device _device;
        private readonly RowBlock _rows;
        private readonly long[] _indices;
        private SequenceDataset? _current;

        public BatchBuffer(int capacity, StreamedView view, Device device)
        {
            _capacity = capacity;
            _view = view;
            _device = device;
            _rows = new RowBlock(capacity, view.InputLength * view.Shapes.InputFeatureCount, view.Shapes.LabelLength);
            _indices = new long[capacity];
            for (int i = 0; i < capacity; i++)
                _indices[i] = i;
        }

        public int Count { get; private set; }

        /// <summary>Copies a row in; true when the batch is full.</summary>
        public bool Add(RowBlock source, int slot)
        {
            source.Features.AsSpan(slot * source.FeatureWidth, source.FeatureWidth).CopyTo(_rows.Features.AsSpan(Count * source.FeatureWidth));
            source.Labels.AsSpan(slot * source.LabelWidth, source.LabelWidth).CopyTo(_rows.Labels.AsSpan(Count * source.LabelWidth));
            return ++Count == _capacity;
        }

        public SequenceBatch Take()
        {
            _current?.Dispose();
            _current = null;
            var shapes = _view.Shapes;
            Tensor features = ToTensor(_rows.Features, new long[] { Count, _view.InputLength, shapes.InputFeatureCount });
            Tensor labels = ToTensor(_rows.Labels, new long[] { Count, shapes.Horizon, shapes.OutputFeatureCount });
            _current = new SequenceDataset(features, labels);
            var batch = new SequenceBatch(_current, _indices.AsMemory(0, Count));
            Count = 0;
            return batch;
        }

        private Tensor ToTensor(float[] values, long[] shape)
        {
            Tensor onCpu = torch.empty(shape, ScalarType.Float32);
            onCpu.data<float>().CopyFrom(new ReadOnlySpan<float>(values, 0, (int)(shape[0] * shape[1] * shape[2])), 0, 0);
            if (_device.type == DeviceType.CPU)
                return onCpu;
            using (onCpu)
                return onCpu.to(_device);
        }

        public void Dispose()
        {
            _current?.Dispose();
            _current = null;
        }
    }
}

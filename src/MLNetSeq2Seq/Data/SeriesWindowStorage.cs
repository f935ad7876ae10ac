using System;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetSeq2Seq.Native.TensorScalars;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// Sliding windows kept as their series: the input columns (T, F) and the target columns (T, O) once on the device
/// (one tensor when they are the same columns), and window k's first input step at series row
/// FirstStart + k × Stride. A batch is cut by index arithmetic and one index_select per tensor: the rows
/// start + 0 … start + L − 1 for features, start + L … start + L + H − 1 for labels. Values and layout are those the
/// copied windows would hold, bit for bit; memory is the series' rather than (L + H) times it.
/// </summary>
internal sealed class SeriesWindowStorage : ISequenceStorage
{
    private readonly Tensor _inputSeries;
    private readonly Tensor _targetSeries;
    // 0 … L − 1 and L … L + H − 1: the offsets of a window's feature and label rows from its start.
    private readonly Tensor _inputOffsets;
    private readonly Tensor _labelOffsets;
    private readonly long _firstStart;
    private readonly int _stride;

    /// <summary>Takes ownership of the series tensors (2-D, rows × columns, on one device).</summary>
    public SeriesWindowStorage(Tensor inputSeries, Tensor targetSeries, long firstStart, int stride, int inputLength, int horizon, int count)
    {
        if (inputSeries.dim() != 2 || targetSeries.dim() != 2 || inputSeries.shape[0] != targetSeries.shape[0])
            throw new ArgumentException("The input and target series must be 2-D with the same number of rows.");
        if (count < 0 || stride < 1 || inputLength < 1 || horizon < 1 || firstStart < 0
            || (count > 0 && firstStart + (long)(count - 1) * stride + inputLength + horizon > inputSeries.shape[0]))
            throw new ArgumentException($"{count} windows of {inputLength} + {horizon} rows from row {firstStart}, stride {stride}, do not fit a series of {inputSeries.shape[0]} rows.");
        _inputSeries = inputSeries;
        _targetSeries = targetSeries;
        _firstStart = firstStart;
        _stride = stride;
        InputSteps = inputLength;
        Horizon = horizon;
        Count = count;
        Device device = inputSeries.device;
        using Tensor all = Native.TensorScalars.Range(inputLength + horizon, device);
        _inputOffsets = all.narrow(0, 0, inputLength).contiguous();
        _labelOffsets = all.narrow(0, inputLength, horizon).contiguous();
    }

    /// <summary>Windows over the rows a <see cref="SequenceWindowDataView"/> reads, its series moved to
    /// <paramref name="device"/> once.</summary>
    public static SeriesWindowStorage Of(SequenceWindowDataView view, Device device)
    {
        var (inputs, targets, firstStart) = view.SeriesTensors(device);
        return new SeriesWindowStorage(inputs, targets, firstStart, view.Stride, view.InputLength, view.Horizon, view.WindowCount);
    }

    public int Count { get; }

    public int InputSteps { get; }

    public int InputFeatureCount => (int)_inputSeries.shape[1];

    public int Horizon { get; }

    public int OutputFeatureCount => (int)_targetSeries.shape[1];

    public Device Device => _inputSeries.device;

    public (Tensor Features, Tensor Labels) Rows(ReadOnlySpan<long> rows)
    {
        var starts = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            if ((ulong)rows[i] >= (ulong)Count)
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"Row {rows[i]} is not one of the {Count} windows.");
            starts[i] = _firstStart + rows[i] * _stride;
        }
        return Cut(starts);
    }

    public (Tensor Features, Tensor Labels) Range(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the {Count} windows.");
        var starts = new long[count];
        for (int i = 0; i < count; i++)
            starts[i] = _firstStart + (long)(start + i) * _stride;
        return Cut(starts);
    }

    public ISequenceStorage Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the {Count} windows.");
        // New handles on the same memory, so the slice can be disposed on its own.
        return new SeriesWindowStorage(_inputSeries.alias(), _targetSeries.alias(), _firstStart + (long)start * _stride, _stride, InputSteps, Horizon, count);
    }

    private (Tensor Features, Tensor Labels) Cut(long[] starts)
    {
        int batch = starts.Length;
        using var scope = torch.NewDisposeScope();
        Tensor startTensor = torch.tensor(starts, dtype: ScalarType.Int64, device: Device).unsqueeze(1);
        Tensor inputRows = Plus(startTensor, _inputOffsets.unsqueeze(0)).view(-1);
        Tensor labelRows = Plus(startTensor, _labelOffsets.unsqueeze(0)).view(-1);
        Tensor features = _inputSeries.index_select(0, inputRows).view(batch, InputSteps, InputFeatureCount);
        Tensor labels = _targetSeries.index_select(0, labelRows).view(batch, Horizon, OutputFeatureCount);
        return (features.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        _inputSeries.Dispose();
        _targetSeries.Dispose();
        _inputOffsets.Dispose();
        _labelOffsets.Dispose();
    }
}

using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.Data;

/// <summary>
/// Sliding windows kept as their series: the input columns (T, F) and the target columns (T, O) once on the device
/// (one tensor when they are the same columns), and window k's first input step at series row
/// FirstStart + k × Stride. Over each series lies a strided view, (windows, L, F) with strides (Stride × F, F, 1)
/// (and (windows, H, O) from row FirstStart + L for labels), which copies nothing; a batch is one index_select on
/// each view, which copies each chosen window's contiguous L × F block exactly as it copies a row of dense windows.
/// Values and layout are those the copied windows would hold, bit for bit; memory is the series' rather than
/// (L + H) times it.
/// </summary>
internal sealed class SeriesWindowStorage : ISequenceStorage
{
    private readonly Tensor _inputSeries;
    private readonly Tensor _targetSeries;
    // Views over the series, one row per window: no copy.
    private readonly Tensor _inputWindows;
    private readonly Tensor _labelWindows;
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
        if (!inputSeries.is_contiguous() || !targetSeries.is_contiguous())
            throw new ArgumentException("The series tensors must be contiguous.");
        long f = inputSeries.shape[1], o = targetSeries.shape[1];
        _inputWindows = inputSeries.as_strided(new long[] { count, inputLength, f }, new long[] { stride * f, f, 1 }, firstStart * f);
        _labelWindows = targetSeries.as_strided(new long[] { count, horizon, o }, new long[] { stride * o, o, 1 }, (firstStart + inputLength) * o);
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
        foreach (long row in rows)
        {
            if ((ulong)row >= (ulong)Count)
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row {row} is not one of the {Count} windows.");
        }
        using Tensor index = torch.tensor(rows.ToArray(), dtype: ScalarType.Int64, device: Device);
        return (_inputWindows.index_select(0, index), _labelWindows.index_select(0, index));
    }

    /// <summary>Contiguous copies, as the dense storage's rows are: kernels may take another path on a strided input.</summary>
    public (Tensor Features, Tensor Labels) Range(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the {Count} windows.");
        using Tensor features = _inputWindows.narrow(0, start, count), labels = _labelWindows.narrow(0, start, count);
        return (features.contiguous(), labels.contiguous());
    }

    public ISequenceStorage Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the {Count} windows.");
        // New handles on the same memory, so the slice can be disposed on its own.
        return new SeriesWindowStorage(_inputSeries.alias(), _targetSeries.alias(), _firstStart + (long)start * _stride, _stride, InputSteps, Horizon, count);
    }

    public void Dispose()
    {
        _inputSeries.Dispose();
        _targetSeries.Dispose();
        _inputWindows.Dispose();
        _labelWindows.Dispose();
    }
}

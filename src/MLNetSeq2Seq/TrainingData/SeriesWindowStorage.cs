using System;
using System.Linq;
using MLNetSeq2Seq.Windows;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// Sliding windows kept as their series: the input columns (T, F) and the target columns (T, O) once on the device
/// (one tensor when they are the same columns), and window k's first input step at series row Starts[k] (one
/// int64 per window: with many series the starts jump from one series to the next, and the windows never cross).
/// Over each series lies a strided view with a window at every row, (T − L + 1, L, F) with strides (F, F, 1)
/// (and (T − L − H + 1, H, O) from row L for labels), which copies nothing; a batch is one index_select of the
/// chosen windows' starts on each view, which copies each window's contiguous L × F block exactly as it copies a
/// row of dense windows.
/// Values and layout are those the copied windows would hold, bit for bit; memory is the series' rather than
/// (L + H) times it.
/// </summary>
internal sealed class SeriesWindowStorage : ISequenceStorage
{
    private readonly Tensor _inputSeries;
    private readonly Tensor _targetSeries;
    // Views over the series with a window at every row (stride 1): no copy. Window k is row _starts[k] of them.
    private readonly Tensor _inputWindows;
    private readonly Tensor _labelWindows;
    private readonly long[] _starts;

    /// <summary>Takes ownership of the series tensors (2-D, rows × columns, on one device). Window k's first input step
    /// is series row <paramref name="starts"/>[k]; its L + H rows must lie in the series.</summary>
    public SeriesWindowStorage(Tensor inputSeries, Tensor targetSeries, long[] starts, int inputLength, int horizon)
    {
        if (inputSeries.dim() != 2 || targetSeries.dim() != 2 || inputSeries.shape[0] != targetSeries.shape[0])
            throw new ArgumentException("The input and target series must be 2-D with the same number of rows.");
        long rows = inputSeries.shape[0];
        if (inputLength < 1 || horizon < 1 || starts.Any(s => s < 0 || s + inputLength + horizon > rows))
            throw new ArgumentException($"{starts.Length} windows of {inputLength} + {horizon} rows do not fit a series of {rows} rows.");
        if (!inputSeries.is_contiguous() || !targetSeries.is_contiguous())
            throw new ArgumentException("The series tensors must be contiguous.");
        _inputSeries = inputSeries;
        _targetSeries = targetSeries;
        _starts = starts;
        InputSteps = inputLength;
        Horizon = horizon;
        long f = inputSeries.shape[1], o = targetSeries.shape[1];
        _inputWindows = inputSeries.as_strided(new long[] { Math.Max(0, rows - inputLength + 1), inputLength, f }, new long[] { f, f, 1 }, 0);
        // Label row s is the target window that starts at series row s + L.
        _labelWindows = targetSeries.as_strided(new long[] { Math.Max(0, rows - inputLength - horizon + 1), horizon, o }, new long[] { o, o, 1 }, inputLength * o);
    }

    /// <summary>Windows over the rows a <see cref="SequenceWindowDataView"/> reads, its series moved to
    /// <paramref name="device"/> once.</summary>
    public static SeriesWindowStorage Of(SequenceWindowDataView view, Device device)
    {
        var (inputs, targets, starts) = view.SeriesTensors(device);
        return new SeriesWindowStorage(inputs, targets, starts, view.InputLength, view.Horizon);
    }

    public int Count => _starts.Length;

    /// <summary>The input series (T, F), the target series (T, O) — the same memory when the targets are the inputs —
    /// and each window's first input row: what the PyTorch training-data export writes.</summary>
    internal (Tensor Inputs, Tensor Targets, long[] Starts) Series => (_inputSeries, _targetSeries, _starts);

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
            starts[i] = _starts[rows[i]];
        }
        return Gather(starts);
    }

    /// <summary>Contiguous copies, as the dense storage's rows are.</summary>
    public (Tensor Features, Tensor Labels) Range(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the {Count} windows.");
        return Gather(_starts.AsSpan(start, count).ToArray());
    }

    public ISequenceStorage Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {start + count}) are not within the {Count} windows.");
        // New handles on the same memory, so the slice can be disposed on its own.
        return new SeriesWindowStorage(_inputSeries.alias(), _targetSeries.alias(), _starts.AsSpan(start, count).ToArray(), InputSteps, Horizon);
    }

    // index_select on the every-row views copies each chosen window's contiguous L × F (and H × O) block.
    private (Tensor Features, Tensor Labels) Gather(long[] starts)
    {
        using Tensor index = torch.tensor(starts, dtype: ScalarType.Int64, device: Device);
        return (_inputWindows.index_select(0, index), _labelWindows.index_select(0, index));
    }

    public void Dispose()
    {
        _inputSeries.Dispose();
        _targetSeries.Dispose();
        _inputWindows.Dispose();
        _labelWindows.Dispose();
    }
}

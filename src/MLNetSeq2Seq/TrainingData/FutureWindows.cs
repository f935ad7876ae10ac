using System;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetSeq2Seq.TrainingData;

/// <summary>
/// The known-future features (rows, H, K) of a <see cref="SequenceDataset"/>'s rows: either dense, one H × K block per
/// row (any IDataView's future column), or — for the component's own window view — the series' per-row values (T, K)
/// once on the device with each window's first input row, cut per batch exactly as <see cref="SeriesWindowStorage"/>
/// cuts labels: a strided view with a window at every row (offset L rows), index_select of the chosen starts. The
/// values handed out are the same either way, bit for bit; the series form costs T × K floats instead of N × H × K.
/// </summary>
internal sealed class FutureWindows : IDisposable
{
    private readonly Tensor? _dense;      // (N, H, K)
    private readonly Tensor? _series;     // (T, K)
    private readonly Tensor? _everyRow;   // view over _series: (T − L − H + 1, H, K), window s = rows s + L … s + L + H − 1
    private readonly long[]? _starts;
    private readonly int _inputLength;

    private FutureWindows(Tensor? dense, Tensor? series, long[]? starts, int inputLength, int horizon)
    {
        _dense = dense;
        _series = series;
        _starts = starts;
        _inputLength = inputLength;
        Horizon = horizon;
        if (series is not null)
        {
            long rows = series.shape[0], k = series.shape[1];
            _everyRow = series.as_strided(new long[] { Math.Max(0, rows - inputLength - horizon + 1), horizon, k }, new long[] { k, k, 1 }, inputLength * k);
        }
    }

    /// <summary>Dense (N, H, K) features, owned from here on.</summary>
    public static FutureWindows Dense(Tensor features)
    {
        if (features.dim() != 3)
            throw new ArgumentException($"Future features must be (rows, H, K); got ({string.Join(", ", features.shape)}).", nameof(features));
        return new FutureWindows(features, null, null, 0, (int)features.shape[1]);
    }

    /// <summary>Per-row values (T, K), owned from here on, and each window's first input row in them.</summary>
    public static FutureWindows OverSeries(Tensor series, long[] starts, int inputLength, int horizon)
    {
        if (series.dim() != 2 || !series.is_contiguous())
            throw new ArgumentException("The future-feature series must be a contiguous (rows, K) tensor.", nameof(series));
        foreach (long start in starts)
            if (start < 0 || start + inputLength + horizon > series.shape[0])
                throw new ArgumentException($"A window starting at row {start} does not fit {series.shape[0]} rows of future features.", nameof(starts));
        return new FutureWindows(null, series, starts, inputLength, horizon);
    }

    /// <summary>The series form's (T, K) values and window starts; null for dense features.</summary>
    internal (Tensor Series, long[] Starts)? SeriesForm => _series is null ? null : (_series, _starts!);

    public int Count => _dense is not null ? (int)_dense.shape[0] : _starts!.Length;

    public int Horizon { get; }

    /// <summary>The features of the given rows, a new (rows.Length, H, K) tensor in the caller's scope.</summary>
    public Tensor Rows(ReadOnlySpan<long> rows)
    {
        long[] index = _dense is not null ? rows.ToArray() : Starts(rows);
        using Tensor indexTensor = torch.tensor(index, dtype: ScalarType.Int64, device: (_dense ?? _series)!.device);
        return (_dense ?? _everyRow)!.index_select(0, indexTensor);
    }

    /// <summary>The features of rows [start, start + count).</summary>
    public Tensor Range(int start, int count)
    {
        if (_dense is not null)
            return _dense.narrow(0, start, count);
        using Tensor index = torch.tensor(_starts.AsSpan(start, count).ToArray(), dtype: ScalarType.Int64, device: _series!.device);
        return _everyRow!.index_select(0, index);
    }

    /// <summary>Rows [start, start + count), sharing this one's memory; disposing it leaves this one intact.</summary>
    public FutureWindows Slice(int start, int count) => _dense is not null
        ? new FutureWindows(_dense.narrow(0, start, count), null, null, 0, Horizon)
        : new FutureWindows(null, _series!.alias(), _starts.AsSpan(start, count).ToArray(), _inputLength, Horizon);

    private long[] Starts(ReadOnlySpan<long> rows)
    {
        var starts = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
            starts[i] = _starts![rows[i]];
        return starts;
    }

    public void Dispose()
    {
        _dense?.Dispose();
        _everyRow?.Dispose();
        _series?.Dispose();
    }
}

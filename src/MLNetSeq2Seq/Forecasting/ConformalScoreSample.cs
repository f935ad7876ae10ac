using System;
using System.Collections.Generic;

namespace MLNetSeq2Seq.Forecasting;

/// <summary>
/// The nonconformity scores of quantile calibration, held in a fixed memory bound: one score per (pair, step, output)
/// cell per window, for every window up to <see cref="Capacity"/> windows, and beyond that a uniform random sample of
/// that many windows (reservoir sampling with a fixed seed, so the same windows give the same offsets). Split-conformal
/// calibration stays valid on a uniform sample of exchangeable windows, with n = Capacity.
/// </summary>
internal sealed class ConformalScoreSample
{
    /// <summary>The bound on stored scores: 8 Mi floats (32 MiB). Capacity in windows is this over the cells per window
    /// (12,483 windows at H = 96, O = 7 and one central interval), and at least 1,000.</summary>
    public const int MaxStoredScores = 8 * 1024 * 1024;

    private const int MinimumCapacity = 1000;
    private readonly int _cells;
    private readonly List<float[]> _windows = new();
    private readonly Random _random = new(20_240_601);

    public ConformalScoreSample(int cellsPerWindow, int? capacity = null)
    {
        if (cellsPerWindow < 1)
            throw new ArgumentOutOfRangeException(nameof(cellsPerWindow), cellsPerWindow, "A window has at least one calibration cell.");
        _cells = cellsPerWindow;
        Capacity = capacity ?? Math.Max(MinimumCapacity, MaxStoredScores / cellsPerWindow);
    }

    /// <summary>Windows whose scores are kept exactly; beyond it, a uniform sample of this many.</summary>
    public int Capacity { get; }

    /// <summary>Windows offered so far.</summary>
    public int WindowsSeen { get; private set; }

    /// <summary>Windows held now: min(<see cref="WindowsSeen"/>, <see cref="Capacity"/>).</summary>
    public int WindowsHeld => _windows.Count;

    /// <summary>Offers one window's scores (NaN where the label is missing); the array is kept or dropped, not copied.</summary>
    public void Add(float[] scores)
    {
        if (scores.Length != _cells)
            throw new ArgumentException($"Expected {_cells} scores per window, got {scores.Length}.", nameof(scores));
        WindowsSeen++;
        if (_windows.Count < Capacity)
        {
            _windows.Add(scores);
            return;
        }
        int slot = _random.Next(WindowsSeen); // keeps each of the windows seen with probability Capacity / WindowsSeen
        if (slot < Capacity)
            _windows[slot] = scores;
    }

    /// <summary>The finite scores of one cell over the held windows.</summary>
    public List<float> Cell(int cell)
    {
        var values = new List<float>(_windows.Count);
        foreach (float[] window in _windows)
            if (float.IsFinite(window[cell]))
                values.Add(window[cell]);
        return values;
    }
}

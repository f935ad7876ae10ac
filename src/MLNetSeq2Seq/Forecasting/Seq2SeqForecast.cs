using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNetSeq2Seq;

/// <summary>
/// One forecast of a <see cref="Seq2SeqForecastEngine"/>: the <see cref="Horizon"/> steps after the last observation,
/// for each target column, in the series' own units (the model's standardization already inverted), with the
/// timestamp of each step when the engine tracks timestamps.
/// </summary>
public sealed class Seq2SeqForecast
{
    private readonly string[] _columnNames;
    private readonly float[] _values;
    private readonly DateTime[]? _timestamps;
    private readonly double[] _levels;
    private readonly float[] _quantiles;

    internal Seq2SeqForecast(IReadOnlyList<string> columnNames, float[] values, DateTime[]? timestamps, double[]? quantileLevels = null, float[]? quantiles = null)
    {
        _columnNames = columnNames.ToArray();
        _values = values;
        _timestamps = timestamps;
        Horizon = values.Length / _columnNames.Length;
        _levels = quantileLevels ?? Array.Empty<double>();
        _quantiles = quantiles ?? Array.Empty<float>();
        if (_quantiles.Length != values.Length * _levels.Length)
            throw new ArgumentException("The quantiles must hold Horizon × levels × columns values.", nameof(quantiles));
    }

    /// <summary>The quantile levels the model forecasts (<see cref="Seq2SeqOptions.Quantiles"/>), increasing; empty for a
    /// point-only model.</summary>
    public IReadOnlyList<double> QuantileLevels => _levels;

    /// <summary>H × Q × O quantile forecasts (step, level, column), in the series' units: the same values as the model's
    /// quantile column, unstandardized. Never decreasing along the levels. Empty for a point-only model.</summary>
    public IReadOnlyList<float> QuantileValues => _quantiles;

    /// <summary>The H forecasts of <paramref name="column"/> at quantile <paramref name="level"/> (one of
    /// <see cref="QuantileLevels"/>), in the series' units.</summary>
    /// <exception cref="ArgumentException">The column is not forecast, or the model does not forecast that level.</exception>
    public float[] Quantile(string column, double level)
    {
        int c = IndexOf(column), k = Array.IndexOf(_levels, level);
        if (k < 0)
            throw new ArgumentException(_levels.Length == 0
                ? "This model forecasts no quantiles; train it with Seq2SeqOptions.Quantiles."
                : $"Level {level} is not forecast; the model forecasts {string.Join(", ", _levels)}.", nameof(level));
        int o = _columnNames.Length, q = _levels.Length;
        return Enumerable.Range(0, Horizon).Select(h => _quantiles[(h * q + k) * o + c]).ToArray();
    }

    /// <summary>The lower and upper bounds of <paramref name="column"/>'s central interval between two forecast levels,
    /// for example (0.1, 0.9) for an 80% interval: H values each, lower ≤ upper at every step.</summary>
    /// <exception cref="ArgumentException">The column or a level is not forecast, or the lower level is not below the upper.</exception>
    public (float[] Lower, float[] Upper) Bounds(string column, double lowerLevel, double upperLevel)
    {
        if (!(lowerLevel < upperLevel))
            throw new ArgumentException($"The lower level {lowerLevel} must be below the upper level {upperLevel}.", nameof(lowerLevel));
        return (Quantile(column, lowerLevel), Quantile(column, upperLevel));
    }

    /// <summary>Forecast steps (H), one per step of the series after the last observation.</summary>
    public int Horizon { get; }

    /// <summary>The forecast columns (the model's target columns), in the order of each step's values.</summary>
    public IReadOnlyList<string> ColumnNames => _columnNames;

    /// <summary>H × O values, time-major (step h, column c at h × O + c), in the series' units.</summary>
    public IReadOnlyList<float> Values => _values;

    /// <summary>The time of each forecast step: the last observed timestamp plus 1, 2, … H series steps; null when the
    /// engine was created without a timestamp column.</summary>
    public IReadOnlyList<DateTime>? Timestamps => _timestamps;

    /// <summary>The forecast of <paramref name="column"/> at step <paramref name="step"/> (0 = the step after the last observation).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is outside [0, Horizon).</exception>
    /// <exception cref="ArgumentException">The column is not forecast.</exception>
    public float this[int step, string column]
    {
        get
        {
            if (step < 0 || step >= Horizon)
                throw new ArgumentOutOfRangeException(nameof(step), step, $"The forecast has steps 0 to {Horizon - 1}.");
            return _values[step * _columnNames.Length + IndexOf(column)];
        }
    }

    /// <summary>The H forecast values of one column, in the series' units.</summary>
    /// <exception cref="ArgumentException">The column is not forecast.</exception>
    public float[] Column(string column)
    {
        int c = IndexOf(column);
        return Enumerable.Range(0, Horizon).Select(h => _values[h * _columnNames.Length + c]).ToArray();
    }

    private int IndexOf(string column)
    {
        int index = Array.IndexOf(_columnNames, column);
        return index >= 0 ? index
            : throw new ArgumentException($"Column '{column}' is not forecast; the forecast holds {string.Join(", ", _columnNames.Select(c => $"'{c}'"))}.", nameof(column));
    }
}

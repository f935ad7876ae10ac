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

    internal Seq2SeqForecast(IReadOnlyList<string> columnNames, float[] values, DateTime[]? timestamps)
    {
        _columnNames = columnNames.ToArray();
        _values = values;
        _timestamps = timestamps;
        Horizon = values.Length / _columnNames.Length;
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

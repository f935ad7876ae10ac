using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNetSeq2Seq.Forecasting;
using MLNetSeq2Seq.Windows;

namespace MLNetSeq2Seq;

/// <summary>
/// Forecasts past the end of a series, the way ML.NET's time-series prediction engine does: it keeps the last
/// L = <see cref="TrainingSeries.InputLength"/> observations of the model's input columns, <see cref="Predict()"/>
/// returns the next <see cref="Seq2SeqTransformer.Horizon"/> steps in the series' units (with timestamps when it
/// tracks them), <see cref="Observe(IDataView)"/> appends new rows and moves the window, and
/// <see cref="CheckPoint(Stream)"/> / <see cref="Load(MLContext, Seq2SeqTransformer, Stream, string)"/> save and restore that state.
/// Observations are raw series values: the model's training statistics standardize them on the way in and the
/// forecast is un-standardized on the way out. Created by <see cref="Seq2SeqTransformer.CreateForecastEngine"/>.
/// </summary>
/// <remarks>
/// The engine holds no native memory and does not own the model: dispose the model when done; the engine cannot
/// forecast after that (<see cref="ObjectDisposedException"/>). An engine may be called from several threads: Observe,
/// Predict and CheckPoint each see the window whole (one lock guards it; scoring runs outside it), and several engines
/// may share one model. The engine runs this Seq2Seq model alone: transforms that came before it in a
/// pipeline are not applied, so train forecasters on the window views directly (their z-scores travel in the model).
/// </remarks>
public sealed class Seq2SeqForecastEngine
{
    private readonly MLContext _mlContext;
    private readonly Seq2SeqTransformer _model;
    private readonly TrainingSeries _series;
    private readonly ForecastEngineState _state;

    private Seq2SeqForecastEngine(MLContext mlContext, Seq2SeqTransformer model, TrainingSeries series, ForecastEngineState state)
    {
        _mlContext = mlContext;
        _model = model;
        _series = series;
        _state = state;
    }

    /// <summary>Observations received so far (the history included).</summary>
    public long ObservationCount => _state.ObservationCount;

    /// <summary>The timestamp of the last observation; null without a timestamp column.</summary>
    public DateTime? LastTimestamp => _state.LastTimestamp;

    /// <summary>The series' step: the difference between the last two observed timestamps; null without a timestamp column.</summary>
    public TimeSpan? Step => _state.Step;

    /// <summary>The timestamp column the engine reads from observations; null when it forecasts without timestamps.</summary>
    public string? TimestampColumnName => _state.TimestampColumnName;

    internal static Seq2SeqForecastEngine Create(MLContext mlContext, Seq2SeqTransformer model, IDataView history, string? timestampColumnName, string? seriesId = null)
    {
        TrainingSeries series = RequireSeries(model, seriesId);
        if (timestampColumnName is not null && string.IsNullOrWhiteSpace(timestampColumnName))
            throw new ArgumentException("timestampColumnName is blank: name the series' timestamp column, or pass null.", nameof(timestampColumnName));
        if (model.FutureFeatureCount > 0)
        {
            FutureFeatureSpec future = model.FutureFeatures ?? throw new InvalidOperationException(
                $"This model takes {model.FutureFeatureCount} known-future features per step, but does not record what they are (it was not trained on window views with "
                + "SequenceWindowOptions.FutureColumnNames or CalendarFeatures): build the future-feature column yourself and call Transform.");
            if (future.CalendarCount > 0 && timestampColumnName is null)
                throw new ArgumentException($"This model's known-future features include calendar features ({future.Calendar}), computed from the forecast timestamps: name the series' timestamp column.", nameof(timestampColumnName));
        }
        var state = new ForecastEngineState(series.InputColumnNames, series.InputLength, timestampColumnName);
        SeriesTable rows = Read(history, state);
        if (rows.RowCount < series.InputLength)
            throw new ArgumentException($"The history has {rows.RowCount} rows, but the model forecasts from the last {series.InputLength} (its InputLength): give at least that many.", nameof(history));
        if (timestampColumnName is not null && rows.RowCount < 2)
            throw new ArgumentException("Forecast timestamps need the series' step, the difference between the last two timestamps: give at least 2 rows.", nameof(history));
        state.Append(rows);
        return new Seq2SeqForecastEngine(mlContext, model, series, state);
    }

    /// <summary>
    /// The next Horizon steps after the last observation, in the series' units, with timestamps when tracked.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model was disposed.</exception>
    /// <exception cref="InvalidOperationException">The model takes known-future columns (<see cref="SequenceWindowOptions.FutureColumnNames"/>):
    /// use <see cref="Predict(IDataView)"/>. Calendar features alone are computed here from the forecast timestamps.</exception>
    public Seq2SeqForecast Predict()
    {
        if (_model.FutureFeatures is { ColumnNames.Count: > 0 } future)
            throw new InvalidOperationException($"This model takes the known-future values of {string.Join(", ", future.ColumnNames.Select(c => $"'{c}'"))} for the {_model.Horizon} forecast steps: "
                + "call Predict(futureRows) with those rows.");
        return Forecast(null);
    }

    /// <summary>
    /// As <see cref="Predict()"/>, for a model with known-future columns (<see cref="SequenceWindowOptions.FutureColumnNames"/>):
    /// <paramref name="futureRows"/> holds exactly Horizon rows, the forecast steps in order, with those columns (raw values,
    /// as in the series; the training statistics standardize them). Calendar features are computed from the forecast timestamps.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or not numeric, or the rows are not Horizon.</exception>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite (the message names its column and row), or the model takes no future columns.</exception>
    public Seq2SeqForecast Predict(IDataView futureRows)
    {
        ArgumentNullException.ThrowIfNull(futureRows);
        if (_model.FutureFeatures is not { ColumnNames.Count: > 0 } future)
            throw new InvalidOperationException("This model takes no known-future columns: call Predict() without rows.");
        var requests = future.ColumnNames.Select(c => new SeriesColumnRequest(c, "the model's known-future columns (SequenceWindowOptions.FutureColumnNames)")).ToArray();
        SeriesTable rows = SeriesTable.Read(futureRows, requests, null, 0, _model.Horizon + 1L);
        if (rows.RowCount != _model.Horizon)
            throw new ArgumentException($"futureRows holds {(rows.RowCount > _model.Horizon ? "more than " + _model.Horizon : rows.RowCount.ToString())} rows, but the model forecasts "
                + $"Horizon = {_model.Horizon} steps and needs the known-future values of each: give exactly {_model.Horizon} rows.", nameof(futureRows));
        return Forecast(rows);
    }

    /// <summary>As <see cref="Predict(IDataView)"/>, from objects of a row class with the known-future columns as properties.</summary>
    public Seq2SeqForecast Predict<TRow>(IEnumerable<TRow> futureRows) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(futureRows);
        return Predict(_mlContext.Data.LoadFromEnumerable(futureRows));
    }

    /// <summary>The Horizon × K known-future features of the next steps: the future columns (standardized), then the calendar.</summary>
    private float[] FutureFeatures(SeriesTable? rows, DateTime? lastTimestamp, TimeSpan? seriesStep)
    {
        FutureFeatureSpec future = _model.FutureFeatures!;
        int width = future.Count, columns = future.ColumnNames.Count;
        var values = new float[_model.Horizon * width];
        for (int h = 0; h < _model.Horizon; h++)
        {
            for (int k = 0; k < columns; k++)
                values[h * width + k] = future.Standardize(k, rows!.Values[h * columns + k]);
            if (future.CalendarCount > 0)
            {
                DateTime time = lastTimestamp is DateTime last && seriesStep is TimeSpan step ? last + (h + 1) * step
                    : throw new InvalidOperationException("Calendar features need the forecast timestamps, but the engine tracks none.");
                future.WriteCalendar(time, values.AsSpan(h * width + columns, future.CalendarCount));
            }
        }
        return values;
    }

    private Seq2SeqForecast Forecast(SeriesTable? futureRows)
    {
        IReadOnlyList<string> inputs = _series.InputColumnNames;
        var (window, lastTimestamp, seriesStep) = _state.Snapshot();
        var features = new float[window.Length];
        for (int i = 0; i < window.Length; i++)
            features[i] = _series.Standardize(inputs[i % inputs.Count], window[i]);
        int pointLength = _model.Horizon * _model.OutputFeatureCount;
        double[] levels = _model.Network.Architecture.Quantiles;
        var scores = new float[pointLength * (1 + levels.Length)];
        float[] future = _model.FutureFeatureCount > 0 ? FutureFeatures(futureRows, lastTimestamp, seriesStep) : Array.Empty<float>();
        _model.Scorer.ScoreWithFuture(features, rowCount: 1, inputLength: _series.InputLength, ReadOnlySpan<int>.Empty, scores, future);
        DateTime[]? timestamps = lastTimestamp is DateTime last && seriesStep is TimeSpan step
            ? Enumerable.Range(1, _model.Horizon).Select(h => last + h * step).ToArray()
            : null;
        // The quantiles ([H, Q, O]) cycle through the target columns like the point forecast, so they unstandardize alike.
        return new Seq2SeqForecast(_series.TargetColumnNames, _series.Unstandardize(scores.AsSpan(0, pointLength)), timestamps,
            levels, _series.Unstandardize(scores.AsSpan(pointLength)));
    }

    /// <summary>
    /// Appends new rows of the series (in time order, after the last observation) and moves the window to end at the
    /// last of them. The rows need the model's input columns (raw values) and, when tracked, the timestamp column,
    /// increasing past <see cref="LastTimestamp"/>. Nothing changes when a row is rejected.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or not numeric, or a timestamp is not a time or not increasing.</exception>
    /// <exception cref="InvalidOperationException">A value is NaN or infinite; the message names its column and row (0-based, in <paramref name="rows"/>).</exception>
    public void Observe(IDataView rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _state.Append(Read(rows, _state));
    }

    /// <summary>As <see cref="Observe(IDataView)"/>, from objects of a row class with the series' columns as properties.</summary>
    public void Observe<TRow>(IEnumerable<TRow> rows) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(rows);
        Observe(_mlContext.Data.LoadFromEnumerable(rows));
    }

    /// <summary>
    /// Saves the engine's state — the last L observations, the observation count, the last timestamp and the step —
    /// so that <see cref="Load(MLContext, Seq2SeqTransformer, Stream, string)"/> with the same model continues exactly where this
    /// engine stands. The model is not included: save it with <c>mlContext.Model.Save</c>.
    /// </summary>
    public void CheckPoint(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _state.Write(stream);
    }

    /// <summary>
    /// As <see cref="CheckPoint(Stream)"/>, to a file: the state is written to a new temporary file of a unique name in
    /// the same folder (created exclusively, so never through an existing file or link), flushed to disk, then renamed
    /// over <paramref name="path"/> in one step, so a reader sees the old state or the new one, never a part. A symbolic
    /// link at <paramref name="path"/> is replaced by the file; what it pointed to is not touched. The temporary file is
    /// removed when writing fails.
    /// </summary>
    public void CheckPoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string target = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                _state.Write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The write already failed; that error is the one to report.
        }
    }

    /// <summary>An engine over <paramref name="model"/> in the state a <see cref="CheckPoint(Stream)"/> saved.</summary>
    /// <exception cref="InvalidDataException">The state is damaged, was not written by a forecast engine, or holds what no
    /// engine can (a NaN or infinite observation, fewer observations than the input length, a step that is not positive
    /// or that puts the forecast timestamps outside <see cref="DateTime"/>'s range, a state larger than this model's).</exception>
    /// <exception cref="ArgumentException">The state belongs to a model with other input columns or another input length.</exception>
    /// <param name="mlContext">The context whose log receives the engine's warnings.</param>
    /// <param name="model">The model the state was saved with.</param>
    /// <param name="stream">The saved state.</param>
    /// <param name="seriesId">For a model with per-series statistics (<see cref="TrainingSeries.PerSeriesStatistics"/>): the
    /// series the engine forecasts, as given to <see cref="Seq2SeqTransformer.CreateForecastEngine"/>; otherwise null.</param>
    public static Seq2SeqForecastEngine Load(MLContext mlContext, Seq2SeqTransformer model, Stream stream, string? seriesId = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        TrainingSeries series = RequireSeries(model, seriesId);
        ForecastEngineState state = ForecastEngineState.Read(stream, ForecastEngineState.MaxBytes(series.InputColumnNames, series.InputLength));
        if (!state.ColumnNames.SequenceEqual(series.InputColumnNames) || state.InputLength != series.InputLength)
            throw new ArgumentException($"The saved engine state holds {state.InputLength} steps of {string.Join(", ", state.ColumnNames.Select(c => $"'{c}'"))}, "
                + $"but this model forecasts from {series.InputLength} steps of {string.Join(", ", series.InputColumnNames.Select(c => $"'{c}'"))}: load it with the model it was saved with.", nameof(model));
        if (state.LastTimestamp is DateTime last && state.Step is TimeSpan step && step.Ticks > (DateTime.MaxValue.Ticks - last.Ticks) / model.Horizon)
            throw new InvalidDataException($"The saved engine state's step ({step}) after its last timestamp ({last:O}) puts the {model.Horizon} forecast timestamps past DateTime.MaxValue.");
        return new Seq2SeqForecastEngine(mlContext, model, series, state);
    }

    /// <summary>As <see cref="Load(MLContext, Seq2SeqTransformer, Stream, string)"/>, from a file.</summary>
    public static Seq2SeqForecastEngine Load(MLContext mlContext, Seq2SeqTransformer model, string path, string? seriesId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using FileStream file = File.OpenRead(path);
        return Load(mlContext, model, file, seriesId);
    }

    // A model standardized per series forecasts one series at a time, with that series' statistics.
    private static TrainingSeries RequireSeries(Seq2SeqTransformer model, string? seriesId)
    {
        TrainingSeries series = RequireSeries(model);
        if (series.PerSeriesStatistics is not PerSeriesStatistics perSeries)
            return series;
        if (seriesId is null)
            throw new ArgumentException($"This model standardized each series with its own statistics (TrainingSeries.PerSeriesStatistics, {perSeries.SeriesIds.Count} series): "
                + $"pass seriesId, the id (in column '{series.SeriesColumnName}') of the series whose history you give, for example '{perSeries.SeriesIds[0]}'.", nameof(seriesId));
        if (!perSeries.TryGet(seriesId, out _))
            throw new ArgumentException($"This model has no statistics for series '{seriesId}'; it was trained on {perSeries.SeriesIds.Count} series, for example "
                + $"{string.Join(", ", perSeries.SeriesIds.Take(5).Select(i => $"'{i}'"))}.", nameof(seriesId));
        return series.ForSeries(seriesId);
    }

    private static TrainingSeries RequireSeries(Seq2SeqTransformer model) => model.TrainingSeries
        ?? throw new InvalidOperationException("This model does not know the series it was trained on (TrainingSeries is null): train it on windows from "
            + "mlContext.Data.CreateSequenceWindows or SplitSequenceWindowsChronologically (models saved before format 0x00010006 do not record it either), "
            + "or build the input window yourself and call Transform.");

    private static SeriesTable Read(IDataView rows, ForecastEngineState state)
    {
        var requests = state.ColumnNames.Select(c => new SeriesColumnRequest(c, "the model's TrainingSeries.InputColumnNames")).ToArray();
        (string, string)? timestamp = state.TimestampColumnName is string name ? (name, "timestampColumnName") : null;
        return SeriesTable.Read(rows, requests, timestamp, 0, null);
    }
}

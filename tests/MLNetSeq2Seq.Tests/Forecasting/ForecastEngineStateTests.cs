using System;
using System.Collections.Generic;
using System.IO;
using MLNetSeq2Seq.Tests.Reliability;
using Xunit;
using Xunit.Abstractions;

namespace MLNetSeq2Seq.Tests.Forecasting;

/// <summary>
/// A saved engine state edited and sealed again with a fresh SHA-256 (the checksum is not keyed, so it passes) is still
/// refused on load when it holds what no engine can: each refusal an <see cref="InvalidDataException"/>, in under a
/// second and under 50 MiB of allocation, before the engine exists.
/// </summary>
public sealed class ForecastEngineStateTests : IClassFixture<TrainedForecaster>
{
    private readonly TrainedForecaster _f;
    private readonly ITestOutputHelper _output;

    public ForecastEngineStateTests(TrainedForecaster forecaster, ITestOutputHelper output) => (_f, _output) = (forecaster, output);

    private byte[] Saved()
    {
        var engine = _f.Model.CreateForecastEngine(_f.Context, _f.Series(400), "Time");
        using var stream = new MemoryStream();
        engine.CheckPoint(stream);
        return stream.ToArray();
    }

    private RefusalMeter.Refusal Load(Stream stream) =>
        RefusalMeter.Measure(() => Seq2SeqForecastEngine.Load(_f.Context, _f.Model, stream));

    private void AssertRefused(RefusalMeter.Refusal refusal, string what, string? messagePart = null)
    {
        _output.WriteLine($"{what}: {refusal}");
        Assert.True(refusal.Error is InvalidDataException, $"{what}: {refusal}");
        Assert.True(refusal.Elapsed < RefusalMeter.MaxTime, $"{what}: {refusal}");
        Assert.True(refusal.ManagedBytes < RefusalMeter.MaxGrowthBytes, $"{what}: {refusal}");
        if (messagePart is not null)
            Assert.Contains(messagePart, refusal.Error!.Message);
    }

    public static IEnumerable<object[]> Edits() => new[]
    {
        new object[] { "NaN in the window", "holds NaN" },
        new object[] { "+Infinity in the window", "an engine only holds finite observations" },
        new object[] { "a step of 0", "step is 0 ticks" },
        new object[] { "a step of -1 h", "step is -36000000000 ticks" },
        new object[] { "a step longer than the time since year 1", "a step is positive" },
        new object[] { "DateTimeKind 7", "is not a DateTime" },
        new object[] { "last timestamp before year 1", "is not a DateTime" },
        new object[] { "last timestamp past year 9999", "is not a DateTime" },
        new object[] { "fewer observations than the input length", "an engine starts from at least its 30 steps" },
        new object[] { "a negative observation count", "claims -5 observations" },
        new object[] { "timestamps tracked without a step", "holds no step" },
        new object[] { "timestamps tracked without a last timestamp", "holds no last timestamp" },
        new object[] { "an empty timestamp column name", "empty timestamp column" },
        new object[] { "input length 2^31 - 1", "claims 2147483647 steps" },
        new object[] { "column count 2^31 - 1", "more than its" },
        new object[] { "bytes after the end", "bytes after its end" },
        new object[] { "another format version", "format version 2" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void An_edited_and_resealed_state_is_refused_naming_what_no_engine_holds(string edit, string messagePart)
    {
        var state = new EngineStateFile(Saved());
        Action<BinaryWriter>? append = null;
        switch (edit)
        {
            case "NaN in the window": state.Window[7] = float.NaN; break;
            case "+Infinity in the window": state.Window[^1] = float.PositiveInfinity; break;
            case "a step of 0": state.StepTicks = 0; break;
            case "a step of -1 h": state.StepTicks = -TimeSpan.FromHours(1).Ticks; break;
            case "a step longer than the time since year 1": state.StepTicks = state.LastTicks + 1; break;
            case "DateTimeKind 7": state.LastKind = 7; break;
            case "last timestamp before year 1": state.LastTicks = -1; break;
            case "last timestamp past year 9999": state.LastTicks = DateTime.MaxValue.Ticks + 1; break;
            case "fewer observations than the input length": state.ObservationCount = TrainedForecaster.InputLength - 1; break;
            case "a negative observation count": state.ObservationCount = -5; break;
            case "timestamps tracked without a step": state.StepTicks = null; break;
            case "timestamps tracked without a last timestamp": state.LastTicks = null; break;
            case "an empty timestamp column name": state.TimestampColumn = ""; break;
            case "input length 2^31 - 1": state.InputLength = int.MaxValue; break;
            case "column count 2^31 - 1": break; // the count field is written below, as the names that follow stay
            case "bytes after the end": append = w => w.Write(0); break;
            case "another format version": state.Version = 2; break;
            default: throw new ArgumentOutOfRangeException(nameof(edit), edit, null);
        }
        byte[] bytes = state.Sealed(append);
        if (edit == "column count 2^31 - 1")
        {
            byte[] body = bytes[..^32];
            BitConverter.GetBytes(int.MaxValue).CopyTo(body, 16); // after the magic, the version and L
            bytes = EngineStateFile.Seal(body);
        }

        AssertRefused(Load(new MemoryStream(bytes)), edit, messagePart);
    }

    [Fact]
    public void The_unedited_state_resealed_by_the_test_loads_so_the_edits_above_are_what_is_refused()
    {
        byte[] saved = Saved();
        byte[] resealed = new EngineStateFile(saved).Sealed();

        Assert.Equal(saved, resealed);
        var engine = Seq2SeqForecastEngine.Load(_f.Context, _f.Model, new MemoryStream(resealed));
        Assert.Equal(400, engine.ObservationCount);
    }

    [Fact]
    public void A_step_that_pushes_the_forecast_timestamps_past_year_9999_is_refused_on_load()
    {
        var state = new EngineStateFile(Saved());
        // An hourly series whose last observation is 5 hours before DateTime.MaxValue: Horizon = 10 steps do not fit.
        state.LastTicks = DateTime.MaxValue.Ticks - TimeSpan.FromHours(5).Ticks;
        state.StepTicks = TimeSpan.FromHours(1).Ticks;

        AssertRefused(Load(new MemoryStream(state.Sealed())), "a last timestamp 5 hours before DateTime.MaxValue", "past DateTime.MaxValue");
    }

    [Fact]
    public void A_damaged_string_length_is_invalid_data_not_an_end_of_stream()
    {
        byte[] bytes = Saved()[..^32];
        bytes[20] = 0xFF; // the first column name's 7-bit length: now continues into the name's bytes
        bytes[21] = 0xFF;

        AssertRefused(Load(new MemoryStream(EngineStateFile.Seal(bytes))), "damaged name length");
    }

    [Fact]
    public void A_state_cut_short_and_resealed_is_invalid_data()
    {
        byte[] body = Saved()[..^32];

        foreach (int length in new[] { 13, 21, 40, body.Length / 2, body.Length - 9 })
            AssertRefused(Load(new MemoryStream(EngineStateFile.Seal(body[..length]))), $"cut to {length} bytes");
    }

    [Fact]
    public void An_endless_stream_is_refused_once_it_passes_the_size_a_state_of_this_model_can_take()
    {
        AssertRefused(Load(new EndlessStream()), "an endless stream", "longer than");
    }

    /// <summary>A stream that never ends (a pipe left open, a device file).</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'M', offset, count);
            return count;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>Seq2SeqOptions.Quantiles and PointLossWeight: bad values are refused with a message naming the option.</summary>
public sealed class QuantileOptionValidationTests
{
    private static ArgumentException Refused(Action<Seq2SeqOptions> change)
    {
        var options = new Seq2SeqOptions();
        change(options);
        return Assert.ThrowsAny<ArgumentException>(options.Validate);
    }

    [Theory]
    [InlineData(new[] { 0.1, 0.9, 0.5 }, "strictly increasing")]
    [InlineData(new[] { 0.1, 0.5, 0.5 }, "strictly increasing")]
    [InlineData(new[] { 0.0, 0.5 }, "inside (0, 1)")]
    [InlineData(new[] { 0.5, 1.0 }, "inside (0, 1)")]
    [InlineData(new[] { 0.5, double.NaN }, "inside (0, 1)")]
    [InlineData(new double[0], "holds 0 levels")]
    public void Bad_quantile_levels_are_refused_naming_the_option(double[] levels, string reason)
    {
        ArgumentException error = Refused(o => o.Quantiles = levels);
        Assert.Equal(nameof(Seq2SeqOptions.Quantiles), error.ParamName);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_non_finite_point_loss_weight_is_refused(double weight)
    {
        ArgumentException error = Refused(o => { o.Quantiles = new[] { 0.5 }; o.PointLossWeight = weight; });
        Assert.Equal(nameof(Seq2SeqOptions.PointLossWeight), error.ParamName);
    }

    [Fact]
    public void Turning_the_point_loss_off_needs_the_median_among_the_levels()
    {
        ArgumentException error = Refused(o => { o.Quantiles = new[] { 0.1, 0.9 }; o.PointLossWeight = 0; });
        Assert.Equal(nameof(Seq2SeqOptions.Quantiles), error.ParamName);
        Assert.Contains("0.5", error.Message);

        var valid = new Seq2SeqOptions { Quantiles = new[] { 0.1, 0.5, 0.9 }, PointLossWeight = 0 };
        valid.Validate();
    }
}

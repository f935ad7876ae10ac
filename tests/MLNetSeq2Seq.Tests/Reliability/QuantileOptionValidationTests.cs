using System;
using Xunit;

namespace MLNetSeq2Seq.Tests.Reliability;

/// <summary>Seq2SeqOptions.Quantiles (Levels and PointLossWeight): bad values are refused with a message naming the option by its path.</summary>
public sealed class QuantileOptionValidationTests
{
    private static ArgumentException Refused(QuantileOptions quantiles)
    {
        var options = new Seq2SeqOptions { Quantiles = quantiles };
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
        ArgumentException error = Refused(new QuantileOptions { Levels = levels });
        Assert.Equal("Quantiles.Levels", error.ParamName);
        Assert.Contains(reason, error.Message);
        Assert.Contains("Quantiles.Levels", error.Message);
    }

    [Fact]
    public void Null_levels_are_refused_naming_the_option()
    {
        ArgumentException error = Refused(new QuantileOptions { Levels = null! });
        Assert.Equal("Quantiles.Levels", error.ParamName);
    }

    [Fact]
    public void More_levels_than_the_model_format_holds_are_refused()
    {
        double[] levels = new double[Seq2SeqOptions.MaxQuantileCount + 1];
        for (int k = 0; k < levels.Length; k++)
            levels[k] = (k + 1.0) / (levels.Length + 1);
        ArgumentException error = Refused(new QuantileOptions { Levels = levels });
        Assert.Equal("Quantiles.Levels", error.ParamName);
        Assert.Contains($"holds {levels.Length} levels", error.Message);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_non_finite_point_loss_weight_is_refused(double weight)
    {
        ArgumentException error = Refused(new QuantileOptions { Levels = new[] { 0.5 }, PointLossWeight = weight });
        Assert.Equal("Quantiles.PointLossWeight", error.ParamName);
        Assert.Contains("Quantiles.PointLossWeight", error.Message);
    }

    [Fact]
    public void Turning_the_point_loss_off_needs_the_median_among_the_levels()
    {
        ArgumentException error = Refused(new QuantileOptions { Levels = new[] { 0.1, 0.9 }, PointLossWeight = 0 });
        Assert.Equal("Quantiles.Levels", error.ParamName);
        Assert.Contains("0.5", error.Message);

        var valid = new Seq2SeqOptions { Quantiles = new() { Levels = new[] { 0.1, 0.5, 0.9 }, PointLossWeight = 0 } };
        valid.Validate();
    }

    [Fact]
    public void Without_quantiles_nothing_about_them_is_checked_and_a_new_group_is_valid()
    {
        new Seq2SeqOptions { Quantiles = null }.Validate();
        new Seq2SeqOptions { Quantiles = new() }.Validate();
        new QuantileOptions().Validate();
    }
}

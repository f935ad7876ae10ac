using System.Linq;
using MLNetSeq2Seq.TrainingData;
using Xunit;

namespace MLNetSeq2Seq.Tests.Training;

public sealed class EpochPlanTests
{
    [Theory]
    [InlineData(700, 64)]
    [InlineData(7, 64)]
    [InlineData(128, 64)]
    public void A_plan_covers_every_row_once_in_batches_of_BatchSize_with_a_shorter_last(int rows, int batch)
    {
        EpochPlan plan = EpochPlan.Create(rows, batch, seed: 3, epoch: 1);

        Assert.Equal(Enumerable.Range(0, rows).Select(i => (long)i), plan.Order.OrderBy(i => i));
        Assert.Equal(EpochPlan.StepsPerEpoch(rows, batch), plan.Steps.Count);
        Assert.Equal(rows, plan.Steps.Sum(s => s.Count));
        Assert.All(plan.Steps.Take(plan.Steps.Count - 1), s => Assert.Equal(batch, s.Count));
        Assert.Equal(plan.Steps.Select(s => s.Start), plan.Steps.Select((s, i) => i * batch));
    }

    [Fact]
    public void The_order_depends_only_on_seed_and_epoch()
    {
        Assert.Equal(EpochPlan.Create(50, 8, 1, 2).Order, EpochPlan.Create(50, 8, 1, 2).Order);
        Assert.NotEqual(EpochPlan.Create(50, 8, 1, 2).Order, EpochPlan.Create(50, 8, 1, 3).Order);
        Assert.NotEqual(EpochPlan.Create(50, 8, 1, 2).Order, EpochPlan.Create(50, 8, 2, 2).Order);
    }

    [Fact]
    public void Micro_batches_split_a_step_into_parts_of_at_most_the_micro_size()
    {
        Assert.Equal(new[] { 20, 20, 20, 4 }, EpochPlan.MicroBatchSizes(64, 20));
        Assert.Equal(new[] { 60 }, EpochPlan.MicroBatchSizes(60, 64));
    }
}

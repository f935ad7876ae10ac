// Copied into a throwaway console app by eng/package-smoke.sh; it compiles against the packed MLNetSeq2Seq only.
using MLNetSeq2Seq;
using TorchSharp;
using static TorchSharp.torch;

TorchRuntime.EnsureLoaded();
torch.manual_seed(3);
using var model = nn.Linear(3, 1);
using var optimizer = optim.SGD(model.parameters(), 0.1);
using var x = torch.randn(16, 3);
using var y = x.sum(1, keepdim: true);
float first = 0, last = 0;
for (int step = 0; step < 20; step++)
{
    using var scope = torch.NewDisposeScope();
    optimizer.zero_grad();
    var loss = nn.functional.mse_loss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    last = loss.ToSingle();
    if (step == 0) first = last;
}
if (!(last < first)) throw new Exception($"loss did not fall: {first} -> {last}");
Console.WriteLine($"package smoke: ok (loss {first:F4} -> {last:F4})");

using System;
using MLNetSeq2Seq;
using TorchSharp;
using static TorchSharp.torch;

// A few training steps of a small GRU on CPU, to show the native runtime loads and trains.
TorchRuntime.EnsureLoaded();
torch.manual_seed(1);
using var gru = nn.GRU(inputSize: 1, hiddenSize: 16, batchFirst: true);
using var head = nn.Linear(16, 1);
var parameters = new System.Collections.Generic.List<TorchSharp.Modules.Parameter>(gru.parameters());
parameters.AddRange(head.parameters());
using var optimizer = optim.Adam(parameters, lr: 0.01);
using var time = torch.linspace(0, 6.28, 21).reshape(1, 21, 1).repeat(32, 1, 1);
using var phase = torch.rand(32, 1, 1) * 6.28;
using var wave = torch.sin(time + phase);
using var inputs = wave[.., ..20, ..].contiguous();
using var targets = wave[.., 20, ..].contiguous();
for (int step = 1; step <= 30; step++)
{
    using var scope = torch.NewDisposeScope();
    optimizer.zero_grad();
    var (outputs, _) = gru.forward(inputs);
    var loss = nn.functional.mse_loss(head.forward(outputs[.., -1, ..]), targets);
    loss.backward();
    optimizer.step();
    if (step % 10 == 0)
        Console.WriteLine($"step {step}: loss {loss.ToSingle():F4}");
}

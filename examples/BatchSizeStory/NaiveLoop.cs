using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BatchSizeStory;

/// <summary>
/// The loop from the user's story, written the way it was: a GRU encoder-decoder trained with "gradient
/// accumulation" that is really a sum over the whole epoch. Its three bugs are kept on purpose:
/// 1. zero_grad once per epoch and step once per epoch: gradients of every batch are summed, so the effective
///    learning rate grows with the number of batches;
/// 2. the batch index range is `b` instead of `b × batch`: batches overlap and most rows are never seen;
/// 3. validation runs in training mode (dropout on) with teacher forcing, so it is not what inference does.
/// </summary>
public sealed class NaiveLoop
{
    private readonly NaiveSeq2Seq _model;
    private readonly optim.Optimizer _optimizer;
    private readonly int _batchSize;

    public NaiveLoop(int features, int hidden, double learningRate, int batchSize, int seed)
    {
        torch.manual_seed(seed);
        _model = new NaiveSeq2Seq(features, hidden, dropout: 0.2);
        _optimizer = optim.Adam(_model.parameters(), learningRate);
        _batchSize = batchSize;
    }

    /// <summary>One epoch as the story's loop ran it; returns the rows it actually visited.</summary>
    public int TrainEpoch(Tensor inputs, Tensor targets)
    {
        _model.train();
        _optimizer.zero_grad();                            // bug 1: once per epoch ...
        long rows = inputs.shape[0];
        var visited = new HashSet<long>();
        for (long b = 0; b < rows / _batchSize; b++)
        {
            using var scope = torch.NewDisposeScope();
            long start = b;                                // bug 2: should be b * _batchSize
            Tensor x = inputs.narrow(0, start, _batchSize);
            Tensor y = targets.narrow(0, start, _batchSize);
            Tensor loss = nn.functional.mse_loss(_model.forward(x, y), y);
            loss.backward();                               // ... gradients of every batch pile up
            for (long r = start; r < start + _batchSize; r++)
                visited.Add(r);
        }
        _optimizer.step();                                 // bug 1: ... and one step per epoch
        return visited.Count;
    }

    /// <summary>Validation as the story's loop did it (bug 3): train mode, teacher forcing.</summary>
    public double ReportedValidationLoss(Tensor inputs, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        return nn.functional.mse_loss(_model.forward(inputs, targets), targets).ToDouble();
    }

    /// <summary>What the model really does at inference: eval mode, autoregressive decoding.</summary>
    public double TrueValidationLoss(Tensor inputs, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        _model.eval();
        double loss = nn.functional.mse_loss(_model.forward(inputs, null), targets).ToDouble();
        _model.train();
        return loss;
    }
}

/// <summary>The story's network: GRU encoder, GRU decoder fed the previous target (or its own output), linear head.</summary>
public sealed class NaiveSeq2Seq : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly GRU encoder;
    private readonly GRU decoder;
    private readonly Dropout dropout;
    private readonly Linear head;

    public NaiveSeq2Seq(int features, int hidden, double dropout) : base(nameof(NaiveSeq2Seq))
    {
        encoder = nn.GRU(features, hidden, batchFirst: true);
        decoder = nn.GRU(features, hidden, batchFirst: true);
        this.dropout = nn.Dropout(dropout);
        head = nn.Linear(hidden, features);
        RegisterComponents();
    }

    /// <summary>Predicts as many steps as <paramref name="targets"/> has (or as the input, without targets).</summary>
    public override Tensor forward(Tensor inputs, Tensor? targets)
    {
        var (_, state) = encoder.forward(inputs);
        long steps = targets?.shape[1] ?? inputs.shape[1];
        Tensor next = inputs.narrow(1, inputs.shape[1] - 1, 1);
        var outputs = new List<Tensor>();
        for (long t = 0; t < steps; t++)
        {
            var (output, hidden) = decoder.forward(next, state);
            state = hidden;
            Tensor prediction = head.forward(dropout.forward(output));
            outputs.Add(prediction);
            next = targets is null ? prediction : targets.narrow(1, t, 1);
        }
        return torch.cat(outputs, 1);
    }
}

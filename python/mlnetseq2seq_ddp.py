"""Trains an MLNetSeq2Seq network in PyTorch, on one process or many (DistributedDataParallel under torchrun), from
the training-data file that mlContext.Data.ExportSeq2SeqTrainingData writes, and writes the interchange file that
mlContext.Model.ImportSeq2SeqFromPyTorch loads. torch only (1.13 and 2.x); the network is the reference module's.

    python3 mlnetseq2seq_ddp.py train.safetensors --out model.safetensors                  # one process
    torchrun --standalone --nproc_per_node 2 mlnetseq2seq_ddp.py train.safetensors --out model.safetensors
    torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint host0:29400 --rdzv_id run1 \\
        mlnetseq2seq_ddp.py train.safetensors --out model.safetensors --device cuda

The loop is Fit's (src/MLNetSeq2Seq/Training/Seq2SeqTrainer.cs): Fit's initial weights (from the file); every
training window once per epoch in Fit's seeded permutation (the same .NET generator, ported), cut into optimizer
steps of the global batch, each step's windows split into contiguous shards, one per rank; the loss summed over the
step's label values and divided by their count (each rank scales its share so that DDP's gradient average is exactly
that); the global-norm clip; AdamW with Fit's two parameter groups (weight matrices decayed, 1-D parameters not);
the schedule stepped per optimizer step; teacher forcing drawn per step as Fit draws it; validation after each epoch
in eval mode (sharded, summed over ranks); early stopping with the best epoch's weights restored. Dropout masks are
PyTorch's own (seeded per step and rank), not Fit's. Gloo on the CPU, NCCL on GPUs. Rank 0 writes the outputs.
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlnetseq2seq_reference as ref  # noqa: E402

TRAINING_FORMAT = "mlnetseq2seq-training"
TRAINING_FORMAT_VERSION = "1"
_DTYPES = {"F32": (torch.float32, 4), "I64": (torch.int64, 8)}
_MASK64 = (1 << 64) - 1


def read_training_file(path):
    """The training-data file's tensors (float32 and int64) and metadata, checked against its format."""
    tensors, metadata = ref.read_safetensors(path, dtypes=_DTYPES)
    if metadata.get("format") != TRAINING_FORMAT or metadata.get("format_version") != TRAINING_FORMAT_VERSION:
        raise ValueError("%s is not an MLNetSeq2Seq training-data file of version %s (metadata format %r, version %r); "
                         "write it with mlContext.Data.ExportSeq2SeqTrainingData"
                         % (path, TRAINING_FORMAT_VERSION, metadata.get("format"), metadata.get("format_version")))
    return tensors, metadata


class DotNetRandom:
    """System.Random(seed) of .NET (the seeded, Knuth subtractive generator), so that the window order and the teacher
    forcing draws are Fit's: next(n) and next_double() give what Random.Next(n) and Random.NextDouble() give."""

    _MBIG = 2147483647
    _MSEED = 161803398

    def __init__(self, seed):
        def wrap(v):  # C# int arithmetic
            return (v + 2 ** 31) % 2 ** 32 - 2 ** 31
        a = [0] * 56
        mj = wrap(self._MSEED - (self._MBIG if seed == -2 ** 31 else abs(seed)))
        a[55] = mj
        mk, ii = 1, 0
        for _ in range(1, 55):
            ii += 21
            if ii >= 55:
                ii -= 55
            a[ii] = mk
            mk = wrap(mj - mk)
            if mk < 0:
                mk += self._MBIG
            mj = a[ii]
        for _ in range(1, 5):
            for i in range(1, 56):
                n = i + 30
                if n >= 55:
                    n -= 55
                a[i] = wrap(a[i] - a[1 + n])
                if a[i] < 0:
                    a[i] += self._MBIG
        self._a, self._inext, self._inextp = a, 0, 21

    def _sample(self):
        inext = self._inext + 1 if self._inext < 55 else 1
        inextp = self._inextp + 1 if self._inextp < 55 else 1
        value = self._a[inext] - self._a[inextp]
        if value == self._MBIG:
            value -= 1
        if value < 0:
            value += self._MBIG
        self._a[inext], self._inext, self._inextp = value, inext, inextp
        return value

    def next_double(self):
        return self._sample() * (1.0 / self._MBIG)

    def next(self, max_value):
        return int(self.next_double() * max_value)


def derived_seed(seed, epoch, stream):
    """EpochPlan.DerivedSeed: a seed for one purpose (stream) of one epoch (SplitMix64 of the three)."""
    x = ((seed & 0xFFFFFFFF) * 0x9E3779B97F4A7C15) & _MASK64
    x ^= ((epoch & 0xFFFFFFFF) << 20) & _MASK64
    x ^= ((stream & 0xFFFFFFFF) << 48) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    x ^= x >> 31
    return x & 0x7FFFFFFF


def epoch_order(count, seed, epoch):
    """EpochPlan.Create's permutation: every window once, Fisher-Yates with System.Random(DerivedSeed(seed, epoch, 1))."""
    order = list(range(count))
    random = DotNetRandom(derived_seed(seed, epoch, 1))
    for i in range(count - 1, 0, -1):
        j = random.next(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def shard(count, world, rank):
    """Rank's contiguous share [begin, end) of count items, sizes as even as possible (earlier ranks one more)."""
    base, extra = divmod(count, world)
    begin = rank * base + min(rank, extra)
    return begin, begin + base + (1 if rank < extra else 0)


class Windows:
    """One part's windows (training or validation) as the file stores them: a series with window starts, cut per
    batch by index_select on strided every-row views (as SeriesWindowStorage does), or dense windows."""

    def __init__(self, entry, tensors, input_length, horizon, device):
        self.count = entry["windows"]
        self.kind = entry["kind"]
        if self.kind == "series":
            inputs = tensors[entry["inputs"]].to(device)
            targets = tensors[entry["targets"]].to(device)
            rows, f, o = inputs.shape[0], inputs.shape[1], targets.shape[1]
            self._features = inputs.as_strided((max(0, rows - input_length + 1), input_length, f), (f, f, 1))
            self._labels = targets.as_strided((max(0, rows - input_length - horizon + 1), horizon, o), (o, o, 1), input_length * o)
            self._index = tensors[entry["starts"]].to(device)
        elif self.kind == "windows":
            self._features = tensors[entry["features"]].to(device)
            self._labels = tensors[entry["labels"]].to(device)
            self._index = torch.arange(self.count, device=device)
        else:
            raise ValueError("unknown window storage kind %r" % self.kind)

    def rows(self, indices):
        index = self._index.index_select(0, torch.as_tensor(indices, dtype=torch.int64, device=self._index.device))
        return self._features.index_select(0, index), self._labels.index_select(0, index)


class Schedule:
    """LearningRateScheduler: the rate of each optimizer step of the run; reduce-on-plateau reacts to epoch losses."""

    def __init__(self, training, total_steps):
        self.t, self.total, self.peak = training, total_steps, training["peak_learning_rate"]
        self.plateau_rate, self.plateau_best, self.plateau_waiting = self.peak, math.inf, 0

    def rate_at(self, step):
        t, total, peak = self.t, self.total, self.peak
        last = total - 1
        step = min(max(step, 0), last)
        kind = t["schedule"]
        if kind == "Constant":
            return peak
        if kind == "ReduceOnPlateau":
            return self.plateau_rate
        if kind == "CosineWithWarmup":
            warmup = math.floor(t["warmup_fraction"] * total)
            if step < warmup:
                return peak * (step + 1) / warmup
            progress = 1.0 if total == warmup else (step - warmup) / (total - warmup)
            return peak * 0.5 * (1 + math.cos(math.pi * progress))
        if kind == "OneCycle":
            initial = peak / t["one_cycle_div_factor"]
            minimum = initial / t["one_cycle_final_div_factor"]
            peak_step = max(1.0, t["one_cycle_pct_start"] * total - 1)
            if last <= 1:
                return peak
            if step <= peak_step:
                return _cosine_anneal(initial, peak, step / peak_step)
            return _cosine_anneal(peak, minimum, (step - peak_step) / max(1, last - peak_step))
        raise ValueError("unknown schedule %r" % kind)

    def on_epoch_end(self, monitored):
        if self.t["schedule"] != "ReduceOnPlateau":
            return
        if monitored < self.plateau_best:
            self.plateau_best, self.plateau_waiting = monitored, 0
            return
        self.plateau_waiting += 1
        if self.plateau_waiting >= self.t["plateau_patience"]:
            self.plateau_rate *= self.t["plateau_factor"]
            self.plateau_waiting = 0


def _cosine_anneal(start, end, fraction):
    return end + (start - end) / 2 * (1 + math.cos(math.pi * min(max(fraction, 0.0), 1.0)))


def loss_sum(kind, delta, prediction, labels):
    """PointLoss.Sum: MSE, MAE or Huber summed over every label value."""
    error = prediction - labels
    if kind == "MeanSquaredError":
        return error.pow(2).sum()
    if kind == "MeanAbsoluteError":
        return error.abs().sum()
    absolute = error.abs()
    return torch.where(absolute <= delta, 0.5 * error.pow(2), delta * (absolute - 0.5 * delta)).sum()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="the file mlContext.Data.ExportSeq2SeqTrainingData wrote")
    parser.add_argument("--out", help="the interchange file to write (rank 0): mlContext.Model.ImportSeq2SeqFromPyTorch loads it")
    parser.add_argument("--history", help="a JSON file for the epochs' losses, rates and times (rank 0)")
    parser.add_argument("--scores", help="a safetensors file for the final network's predictions on the validation windows (rank 0)")
    parser.add_argument("--device", default="cpu", help="cpu (gloo) or cuda (nccl, one GPU per process: LOCAL_RANK)")
    parser.add_argument("--max-epochs", type=int, help="override the file's MaxEpochs (the schedule then spans these epochs, as Fit's would)")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps and write the weights as they are (no validation, no restore)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads per process")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    cuda = args.device.startswith("cuda")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if distributed:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    world = dist.get_world_size() if distributed else 1
    rank = dist.get_rank() if distributed else 0
    started = time.perf_counter()

    tensors, metadata = read_training_file(args.data)
    layout, training = json.loads(metadata["layout"]), json.loads(metadata["training"])
    if layout["future_feature_count"]:
        raise SystemExit("the data has %d known-future features per step; the reference network takes one input (the feature window), "
                         "so this trainer cannot train it" % layout["future_feature_count"])
    architecture = json.loads(metadata["architecture"])
    net = ref.build_network(architecture)
    net.load_state_dict({name[len("initial."):]: t for name, t in tensors.items() if name.startswith("initial.")}, strict=True)
    net.to(device)
    input_length, horizon = layout["input_length"], layout["horizon"]
    train = Windows(layout["train"], tensors, input_length, horizon, device)
    validation = Windows(layout["validation"], tensors, input_length, horizon, device) if layout.get("validation") else None
    del tensors
    model = DistributedDataParallel(net, device_ids=[local_rank] if cuda else None) if distributed else net

    seed, batch_size = training["seed"], training["batch_size"]
    max_epochs = args.max_epochs or training["max_epochs"]
    steps_per_epoch = (train.count + batch_size - 1) // batch_size
    schedule = Schedule(training, steps_per_epoch * max_epochs)
    decayed = [p for _, p in net.named_parameters() if p.dim() > 1]
    not_decayed = [p for _, p in net.named_parameters() if p.dim() <= 1]
    groups = [{"params": decayed, "weight_decay": training["weight_decay"]}, {"params": not_decayed, "weight_decay": 0.0}]
    betas = tuple(training["adam_betas"])
    try:
        optimizer = torch.optim.AdamW(groups, lr=schedule.rate_at(0), betas=betas, eps=training["adam_epsilon"], foreach=False)
    except TypeError:  # torch without the foreach switch
        optimizer = torch.optim.AdamW(groups, lr=schedule.rate_at(0), betas=betas, eps=training["adam_epsilon"])
    clip = training["gradient_clip_norm"]
    loss_kind, delta = training["loss"], training["huber_delta"]
    output_count = architecture["output_feature_count"]
    dropout = architecture["dropout"] > 0

    def log(text):
        if rank == 0:
            print(text, flush=True)

    log("mlnetseq2seq_ddp: %d process(es) on %s, %d training and %d validation windows, global batch %d (%d per rank), %d steps per epoch, "
        "up to %d epochs, %s peaking at %.4g, torch %s" % (world, device, train.count, validation.count if validation else 0, batch_size,
                                                          -(-batch_size // world), steps_per_epoch, max_epochs, training["schedule"],
                                                          training["peak_learning_rate"], torch.__version__))
    best_state, best_loss, best_epoch, waiting = None, math.inf, 0, 0
    epochs, step, stopped_early = [], 0, False
    for epoch in range(1, max_epochs + 1):
        clock = time.perf_counter()
        net.train()
        coin = DotNetRandom(derived_seed(seed, epoch, 2))
        end = training["teacher_forcing_ratio_end"]
        ratio = training["teacher_forcing_ratio"] if end is None or max_epochs == 1 else \
            training["teacher_forcing_ratio"] + (end - training["teacher_forcing_ratio"]) * (epoch - 1) / (max_epochs - 1)
        order = epoch_order(train.count, seed, epoch)
        epoch_loss = torch.zeros(1, dtype=torch.float64, device=device)
        rate = 0.0
        for start in range(0, train.count, batch_size):
            rate = schedule.rate_at(step)
            for group in optimizer.param_groups:
                group["lr"] = rate
            forced = [coin.next_double() < ratio for _ in range(horizon)]
            step_rows = order[start:start + batch_size]
            step_elements = len(step_rows) * horizon * output_count
            begin, finish = shard(len(step_rows), world, rank)
            mine, weight = (step_rows[begin:finish], 1.0) if finish > begin else (step_rows[:1], 0.0)
            features, labels = train.rows(mine)
            if dropout:
                torch.manual_seed(derived_seed(seed, step, 3 + rank))
            optimizer.zero_grad(set_to_none=False)
            prediction = model(features, teacher_targets=labels, teacher_forced_steps=forced)
            summed = loss_sum(loss_kind, delta, prediction, labels) * weight
            # DDP averages gradients over ranks: scaled by the world size, the average is d(step sum)/d(w) / step elements.
            (summed * (world / step_elements)).backward()
            if clip is not None:
                with torch.no_grad():
                    grads = [p.grad for p in net.parameters() if p.grad is not None]
                    squared = torch.stack([g.pow(2).sum() for g in grads]).sum()
                    scale = torch.clamp(clip / (squared.sqrt() + 1e-6), max=1.0)
                    for g in grads:
                        g.mul_(scale)
            optimizer.step()
            epoch_loss += summed.detach().double()
            step += 1
            if args.max_steps is not None and step >= args.max_steps:
                break
        if args.max_steps is not None and step >= args.max_steps:
            log("mlnetseq2seq_ddp: stopped after %d optimizer steps (--max-steps)" % step)
            break
        if distributed:
            dist.all_reduce(epoch_loss)
        train_loss = epoch_loss.item() / (train.count * horizon * output_count)
        if not math.isfinite(train_loss):
            raise SystemExit("training diverged in epoch %d (training loss %s); lower the learning rate" % (epoch, train_loss))
        validation_loss = validate(net, validation, training, world, rank, distributed, device) if validation else None
        monitored = validation_loss if validation_loss is not None else train_loss
        schedule.on_epoch_end(monitored)
        improved = monitored < best_loss - training["early_stopping_min_delta"]
        if improved:
            best_loss, best_epoch, waiting = monitored, epoch, 0
            if validation is not None:
                best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            waiting += 1
        seconds = time.perf_counter() - clock
        epochs.append(dict(epoch=epoch, train_loss=train_loss, validation_loss=validation_loss, learning_rate=rate, seconds=seconds, is_best=improved))
        log("mlnetseq2seq_ddp: epoch %d: train %s %.6g, validation %s %s, lr %.4g, %.1f s%s"
            % (epoch, loss_kind, train_loss, training["early_stopping_metric"], "-" if validation_loss is None else "%.6g" % validation_loss,
               rate, seconds, " (best)" if improved else ""))
        if validation is not None and waiting >= training["early_stopping_patience"] and epoch < max_epochs:
            stopped_early = True
            log("mlnetseq2seq_ddp: no validation improvement for %d epochs; stopping after epoch %d" % (training["early_stopping_patience"], epoch))
            break

    kept_epoch = epochs[-1]["epoch"] if epochs else 0
    if best_state is not None and args.max_steps is None:
        net.load_state_dict(best_state)
        kept_epoch = best_epoch
        log("mlnetseq2seq_ddp: restored the weights of epoch %d (validation %.6g)" % (best_epoch, best_loss))
    net.eval()
    wall = time.perf_counter() - started
    if rank == 0:
        if args.out:
            slots = json.loads(metadata["score_slot_names"]) if "score_slot_names" in metadata else None
            ref.save(args.out, net, feature_column_name=metadata["feature_column_name"], score_column_name=metadata["score_column_name"], score_slot_names=slots)
        if args.history:
            with open(args.history, "w") as f:
                json.dump(dict(epochs=epochs, best_epoch=kept_epoch, stopped_early=stopped_early, steps=step, world_size=world,
                               wall_seconds=wall, torch=torch.__version__), f, indent=1)
        if args.scores and validation is not None:
            with torch.no_grad():
                scores = torch.cat([net(validation.rows(list(range(s, min(s + training["inference_batch_size"], validation.count))))[0])
                                    for s in range(0, validation.count, training["inference_batch_size"])])
            ref.write_safetensors(args.scores, {"scores": scores})
    log("mlnetseq2seq_ddp: done in %.1f s (kept epoch %d)" % (wall, kept_epoch))
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


def validate(net, validation, training, world, rank, distributed, device):
    """SequenceLoss.Mean: the early-stopping metric over every validation label value, eval mode, no teacher forcing;
    each rank sums its contiguous share, the sums are added over ranks."""
    net.eval()
    begin, end = shard(validation.count, world, rank)
    total = torch.zeros(2, dtype=torch.float64, device=device)
    size = training["inference_batch_size"]
    with torch.no_grad():
        for start in range(begin, end, size):
            features, labels = validation.rows(list(range(start, min(start + size, end))))
            prediction = net(features)
            total[0] += loss_sum(training["early_stopping_metric"], training["huber_delta"], prediction.double(), labels.double())
            total[1] += labels.numel()
    if distributed:
        dist.all_reduce(total)
    net.train()
    return (total[0] / total[1]).item()


if __name__ == "__main__":
    main()

// examples/Deploy, step 2 (this app): score the exported forecaster with ONNX Runtime alone — no ML.NET, no
// TorchSharp, no libtorch in the publish folder. It reads forecast.onnx and test-windows.bin (the windows and
// Transform's scores, written by examples/Deploy/Train), scores the windows row by row and in one batch, and checks
// both against Transform's scores (within 1e-5).
//   dotnet publish -c Release -r linux-x64 --self-contained false examples/Deploy/Serve -o out/serve
//   out/serve/Serve artifacts/deploy/forecast.onnx artifacts/deploy/test-windows.bin
using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Deploy;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Serve path/to/forecast.onnx path/to/test-windows.bin");
    return 2;
}
var clock = Stopwatch.StartNew();
ScoredWindows windows = ScoredWindows.Load(args[1]);
int n = windows.RowCount, l = windows.InputLength, f = windows.FeatureCount, perRow = windows.Horizon * windows.OutputCount;

using var session = new InferenceSession(args[0]);
string input = session.InputMetadata.Keys.Single(), output = "Score.output";
Console.WriteLine($"{args[0]}: input {input} [{string.Join(", ", session.InputMetadata[input].Dimensions)}], output {output} [{string.Join(", ", session.OutputMetadata[output].Dimensions)}]");

// All windows in one run: (N, L, F) in, (N, H, O) out.
float[] batched;
using (var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(windows.Features, new[] { n, l, f })) }, new[] { output }))
    batched = results[0].AsEnumerable<float>().ToArray();

// One window at a time, as a service answering single requests would.
var single = new float[n * perRow];
for (int row = 0; row < n; row++)
{
    var tensor = new DenseTensor<float>(windows.Features.AsMemory(row * l * f, l * f), new[] { 1, l, f });
    using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(input, tensor) }, new[] { output });
    results[0].AsEnumerable<float>().ToArray().CopyTo(single, row * perRow);
}

const double Tolerance = 1e-5;
double batchedDifference = ScoredWindows.MaxAbsoluteDifference(windows.Scores, batched);
double singleDifference = ScoredWindows.MaxAbsoluteDifference(windows.Scores, single);
bool torchLoaded = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name is "TorchSharp" or "MLNetSeq2Seq" or "Microsoft.ML.Data");
Console.WriteLine($"{n} windows ({l} × {f} → {windows.Horizon} × {windows.OutputCount}): ONNX Runtime differs from Transform by at most {batchedDifference:G3} in one batch, {singleDifference:G3} row by row (tolerance {Tolerance:G1}).");
Console.WriteLine($"first forecast, first 4 steps of column 0: {string.Join(" ", Enumerable.Range(0, 4).Select(t => batched[t * windows.OutputCount].ToString("F4")))}");
Console.WriteLine($"TorchSharp, MLNetSeq2Seq or ML.NET loaded in this process: {(torchLoaded ? "YES" : "no")}; done in {clock.Elapsed.TotalSeconds:F1} s.");
return batchedDifference < Tolerance && singleDifference < Tolerance && !torchLoaded ? 0 : 1;

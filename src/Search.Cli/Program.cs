using Search.Model.Runtime;
using TorchSharp;

TorchRuntime.Initialize();
using var t = torch.arange(6, dtype: torch.float32).reshape(2, 3);
Console.WriteLine(t.sum().item<float>());

using Search.Cli;
using Search.Model.Runtime;

TorchRuntime.Initialize();
return CliApp.Run(args, Console.Out, Console.Error);

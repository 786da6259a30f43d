using System.Runtime.CompilerServices;
using Search.Model.Runtime;

namespace Search.Tests;

internal static class TestInit
{
    /// <summary>Native environment (OMP_WAIT_POLICY) must be set before libtorch loads.</summary>
    [ModuleInitializer]
    internal static void Init() => TorchRuntime.Initialize();
}

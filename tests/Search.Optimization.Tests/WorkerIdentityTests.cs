using Search.Optimization.Trials;

namespace Search.Optimization.Tests;

public sealed class WorkerIdentityTests
{
    [Fact]
    public void Given_this_process_When_identified_Then_the_host_names_the_machine_and_its_pid_scope_and_round_trips()
    {
        var current = WorkerIdentity.Current;
        Assert.StartsWith(Environment.MachineName, current.Host);
        if (OperatingSystem.IsLinux()) Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(Environment.MachineName)}/[0-9a-f]{{8}}$", current.Host);
        Assert.Equal(current, WorkerIdentity.TryParse(current.ToString()));
        Assert.False(current.IsCertainlyDead());
    }

    [Fact]
    public void Given_a_worker_on_a_machine_with_the_same_name_but_another_pid_scope_When_judged_Then_it_is_not_certainly_dead()
    {
        // A container or cloned VM: same machine name, pids we cannot see. Only its heartbeat may condemn it.
        var twin = new WorkerIdentity(Environment.MachineName + "/00000000", int.MaxValue - 7, 1);
        Assert.False(twin.IsCertainlyDead());
        Assert.True((WorkerIdentity.Current with { ProcessId = int.MaxValue - 7 }).IsCertainlyDead());
    }
}

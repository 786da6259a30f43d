using Xunit.Abstractions;
using Xunit.Sdk;

namespace Search.Optimization.Tests.Storage;

/// <summary>
/// A fact of <see cref="TrialStorageContract"/>. The contract's tests are inherited by one class
/// per backend, but a [Fact]'s Skip cannot depend on the class; this discoverer reads the class's
/// <see cref="SkipUnlessAttribute"/> so a backend whose server is absent reports its contract tests
/// as skipped (not passed) while the other backends run them.
/// </summary>
[XunitTestCaseDiscoverer("Search.Optimization.Tests.Storage.StoreFactDiscoverer", "Search.Optimization.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>On a contract subclass: the reason its inherited tests are skipped, or null to run them.</summary>
[AttributeUsage(AttributeTargets.Class)]
public abstract class SkipUnlessAttribute : Attribute
{
    public abstract string? SkipReason { get; }
}

/// <summary>Skips the class's store tests unless <c>PRUNESEARCH_TEST_PG</c> names a server.</summary>
public sealed class SkipUnlessPostgresAttribute : SkipUnlessAttribute
{
    public override string? SkipReason => PostgresTestServer.Url is null ? PostgresTestServer.SkipReason : null;
}

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var skip = testMethod.TestClass.Class.ToRuntimeType().GetCustomAttributes(typeof(SkipUnlessAttribute), inherit: true)
            .Cast<SkipUnlessAttribute>().Select(a => a.SkipReason).FirstOrDefault(reason => reason is not null);
        yield return new StoreTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skip);
    }
}

/// <summary>An ordinary fact whose skip reason comes from its class (serialized with it, as xunit requires).</summary>
public sealed class StoreTestCase : XunitTestCase
{
    private string? _classSkipReason;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StoreTestCase() { }

    public StoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod, string? classSkipReason)
        : base(sink, display, options, testMethod) => _classSkipReason = classSkipReason;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _classSkipReason ?? base.GetSkipReason(factAttribute);

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("ClassSkipReason", _classSkipReason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _classSkipReason = data.GetValue<string?>("ClassSkipReason");
        base.Deserialize(data);
    }
}

namespace Search.Tests.Data;

/// <summary>A fact that needs ../shared; it shows as skipped (with the reason) rather than passing silently.</summary>
internal sealed class SharedAssetsFactAttribute : FactAttribute
{
    public SharedAssetsFactAttribute()
    {
        if (SharedAssets.DataDirectory is null) Skip = SharedAssets.MissingReason;
    }
}

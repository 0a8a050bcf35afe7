using S3Overlay.Storage;

namespace S3Overlay.Hosting;

/// <summary>How layers of the seam compose: a layer takes the store registered so far (file system, S3, overlay, ...) and registers itself in its place.</summary>
internal static class StoreDecoration
{
    /// <summary>Removes the registered <see cref="IObjectStore"/> and returns how to create it, for the layer that wraps it.</summary>
    public static Func<IServiceProvider, IObjectStore> TakeObjectStore(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IObjectStore))
            ?? throw new InvalidOperationException("Register the object store before wrapping it.");
        services.RemoveAll<IObjectStore>();
        return sp => (IObjectStore)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!));
    }
}

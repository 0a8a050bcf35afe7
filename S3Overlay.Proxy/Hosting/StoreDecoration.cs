using S3Overlay.Storage;

namespace S3Overlay.Hosting;

/// <summary>
/// Wrapping the registered store in another (the overlay around the local store, the hidden-name
/// filter around whatever is there): the last <see cref="IObjectStore"/> registration is replaced
/// by one that builds it and hands it to the wrapper.
/// </summary>
public static class StoreDecoration
{
    /// <summary>Removes the store registered last and returns its registration, to be built with <see cref="Build"/>.</summary>
    public static ServiceDescriptor TakeRegisteredStore(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IObjectStore))
            ?? throw new InvalidOperationException("Register the object store before wrapping it.");
        services.Remove(registered);
        return registered;
    }

    public static IObjectStore Build(IServiceProvider sp, ServiceDescriptor registered) =>
        (IObjectStore)(registered.ImplementationInstance
                       ?? registered.ImplementationFactory?.Invoke(sp)
                       ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!));
}

using Microsoft.AspNetCore.Http;

namespace S3Overlay.ServiceDefaults;

/// <summary>
/// Whether a caller of the health endpoints may read each check's description (exception
/// messages name endpoints and paths). Without a registered policy nobody may: the endpoints are
/// anonymous, and a stranger gets the statuses only.
/// </summary>
public delegate bool HealthDetailPolicy(HttpContext context);

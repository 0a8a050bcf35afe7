using System.Collections.Concurrent;

namespace S3Overlay.Signing;

/// <summary>
/// SigV4 signing keys by (access key, date, region): four HMACs saved on every request. A key is
/// good for a day, so the cache is simply emptied when it grows past what a day's users need. The
/// secret is part of the entry's identity: a user whose secret the users file changed signs with the new one at once.
/// </summary>
internal sealed class SigningKeyCache
{
    private const int MaxEntries = 1024;
    private readonly ConcurrentDictionary<(string AccessKey, string SecretKey, string Date, string Region, string Service), byte[]> _keys = new();

    public byte[] Get(string accessKey, string secretKey, string date, string region, string service)
    {
        var id = (accessKey, secretKey, date, region, service);
        if (_keys.TryGetValue(id, out var key)) return key;
        if (_keys.Count >= MaxEntries) _keys.Clear();
        return _keys[id] = SigV4.DeriveSigningKey(secretKey, date, region, service);
    }
}

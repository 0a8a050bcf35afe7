using System.Collections.Concurrent;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace S3Overlay.Storage.FileSystem.Index;

/// <summary>
/// The keys of the buckets the store created, in S3's order, each with what a listing tells of it,
/// so a listing page seeks to where it starts and reads what it returns from here, opening no file.
/// One SQLite database (<c>.s3overlay/index/keys.db</c>, WAL) with one table keyed (bucket, key), the
/// key as its UTF-8 bytes in a BLOB (SQLite compares BLOBs with <c>memcmp</c>, which is S3's order),
/// and the key's description (<see cref="IndexedKey.Description"/>), an opaque BLOB to the index.
/// A second table names the keys that have versions beyond their current body (noncurrent versions
/// or delete markers, kept in versions folders named by hashes of keys), in the same order, each with
/// the records of its versions folder (<see cref="SettledVersions"/>), so a page of ListObjectVersions
/// seeks them too and reads the versions of the keys it returns alone, from here. A
/// third names the multipart uploads in progress in ListMultipartUploads' order (key, then when
/// each began, then its id), so a page of them seeks too rather than read every upload's record.
/// </summary>
/// <remarks>
/// The files are the truth; a row's description is only ever theirs. Every change of a key's body or
/// of its current description marks its row unsettled (<see cref="Unsettle"/>: no description, which
/// sends a listing to the files) before it touches a file, and settles it (<see cref="Settle"/>, or
/// <see cref="Remove"/> when no body is left) after, all under the key's lock. A kill at any moment
/// leaves the row unsettled or settled to what the files hold, never describing a body that is not
/// in place; and the index never lacks a key that has a body. A rebuild adds rows unsettled: the
/// first listing to meet each one reads its files and settles it.
/// A key is named versioned, its records unsettled (<see cref="UnsettleVersions"/>), before its
/// versions folder is made or changed, and no longer named (<see cref="Unversioned"/>) only after that
/// folder is gone, under the key's lock: the table may name a key with no versions (a kill between
/// the two; a listing finds none, and drops it), never lack one that has, and never holds records
/// its folder does not (a listing that meets unsettled records reads the folder under the key's lock
/// and settles them, <see cref="SettleVersions"/>). An upload's row is added before its folder is made and removed after the
/// folder is gone, under the upload's lock: a row whose folder is missing is dropped by the listing that meets it.
/// Writes are serialised in the process (one connection, one lock): SQLite has one writer, and a
/// writer left to SQLite's busy handler sleeps whole milliseconds.
/// </remarks>
internal sealed class ListingIndex : IDisposable
{
    /// <summary>Bumped when the tables change: an index of another version is rebuilt.</summary>
    private const string Schema = "4";

    /// <summary>Keys inserted per transaction by a rebuild: big enough to amortise the commit, small enough to log progress.</summary>
    private const int RebuildBatch = 20_000;

    /// <summary>SQLITE_FULL: no room left on the disk for the database or its WAL.</summary>
    private const int SqliteFull = 13;

    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly Lock _writeGate = new();
    private readonly SqliteCommand _add, _unsettle, _settle, _remove, _addVersioned, _unsettleVersions, _settleVersions, _unversioned, _addUpload, _removeUpload;
    private readonly ConcurrentBag<IndexReader> _readers = [];
    private readonly ConcurrentDictionary<string, bool> _covered = new(StringComparer.Ordinal);

    private readonly ILogger _log;

    private ListingIndex(string path, ILogger log)
    {
        Path = path;
        _log = log;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        _writer = Connect();
        try
        {
            Execute(_writer, """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """);
            // Tables of another version's shape are made again (Open then tells the index was another version's, and rebuilds it).
            if (Strings(_writer, "SELECT value FROM meta WHERE name = 'schema'") is [var schema] && schema != Schema)
                Execute(_writer, "DROP TABLE IF EXISTS keys; DROP TABLE IF EXISTS versioned; DROP TABLE IF EXISTS uploads; DROP TABLE IF EXISTS buckets;");
            Execute(_writer, """
                CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS keys (bucket TEXT NOT NULL, key BLOB NOT NULL, info BLOB, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS versioned (bucket TEXT NOT NULL, key BLOB NOT NULL, records BLOB, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS uploads (bucket TEXT NOT NULL, key BLOB NOT NULL, initiated INTEGER NOT NULL, id TEXT NOT NULL,
                    PRIMARY KEY (bucket, key, initiated, id)) WITHOUT ROWID;
                """);
            _add = Prepare(_writer, "INSERT OR IGNORE INTO keys (bucket, key) VALUES ($bucket, $key)");
            _unsettle = Prepare(_writer, "INSERT INTO keys (bucket, key) VALUES ($bucket, $key) ON CONFLICT (bucket, key) DO UPDATE SET info = NULL");
            _settle = Prepare(_writer, "UPDATE keys SET info = $info WHERE bucket = $bucket AND key = $key");
            _remove = Prepare(_writer, "DELETE FROM keys WHERE bucket = $bucket AND key = $key");
            _addVersioned = Prepare(_writer, "INSERT OR IGNORE INTO versioned (bucket, key, records) VALUES ($bucket, $key, $info)");
            _unsettleVersions = Prepare(_writer, "INSERT INTO versioned (bucket, key) VALUES ($bucket, $key) ON CONFLICT (bucket, key) DO UPDATE SET records = NULL");
            _settleVersions = Prepare(_writer, "UPDATE versioned SET records = $info WHERE bucket = $bucket AND key = $key");
            _unversioned = Prepare(_writer, "DELETE FROM versioned WHERE bucket = $bucket AND key = $key");
            _addUpload = Prepare(_writer, "INSERT OR IGNORE INTO uploads (bucket, key, initiated, id) VALUES ($bucket, $key, $initiated, $id)");
            _removeUpload = Prepare(_writer, "DELETE FROM uploads WHERE bucket = $bucket AND key = $key AND initiated = $initiated AND id = $id");
        }
        catch
        {
            _writer.Dispose(); // an unreadable file: the caller removes it and makes a new one
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Why no bucket's keys could be trusted at start-up (all are read again from the files); null when the index was whole.</summary>
    public string? Distrusted { get; private set; }

    /// <summary>
    /// Opens the index in <paramref name="folder"/>, or makes a new one when there is none or it
    /// cannot be read. A kill loses nothing the index wrote (the kernel holds it), but a power cut
    /// may lose its last commits (they are not flushed one by one as bodies are): an index that a
    /// previous boot did not close is distrusted, and so is one of another schema.
    /// </summary>
    /// <param name="distrusted">Why the index cannot be trusted whatever it says (another process changed the files), if so.</param>
    public static ListingIndex Open(string folder, string? bootId, ILogger log, string? distrusted = null)
    {
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Join(folder, "keys.db");
        var why = File.Exists(path) ? null : "there was none";
        ListingIndex? index = null;
        try
        {
            index = new ListingIndex(path, log);
            var meta = index.Meta();

            why ??= meta.GetValueOrDefault("schema") != Schema ? "it was written by another version"
                : distrusted is not null ? distrusted
                : meta.GetValueOrDefault("closed") == "true" ? null
                : bootId is null || meta.GetValueOrDefault("boot") != bootId ? "the machine restarted since it was last open"
                : null;
        }
        catch (SqliteException e)
        {
            index?.Dispose();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
            index = new ListingIndex(path, log);
            why = $"it could not be read (SQLite error {e.SqliteErrorCode}: {e.Message})";
        }
        if (why is not null) index.ForgetAll();
        index.Distrusted = why;
        foreach (var bucket in Strings(index._writer, "SELECT name FROM buckets")) index._covered[bucket] = true;
        // Flushed: a power cut from here on is told by the boot id.
        index.SetMeta(durable: true, ("schema", Schema), ("boot", bootId ?? ""), ("closed", "false"));
        return index;
    }

    /// <summary>Whether the bucket's every key is in the index (else its folders are walked).</summary>
    public bool Covers(string bucket) => _covered.ContainsKey(bucket);

    /// <summary>The buckets the index covers.</summary>
    public IReadOnlyCollection<string> Buckets => _covered.Keys.ToList();

    /// <summary>A bucket just created, empty: covered from now on (a second call changes nothing).</summary>
    public void Adopt(string bucket) => Guarded(() =>
    {
        if (Covers(bucket)) return;
        InTransaction(() =>
        {
            ForgetKeys(bucket);
            Execute(_writer, "INSERT OR IGNORE INTO buckets (name) VALUES ($bucket)", ("$bucket", bucket));
        });
        _covered[bucket] = true;
    });

    /// <summary>A bucket deleted, or no longer the index's: its keys are dropped.</summary>
    public void Drop(string bucket) => Guarded(() =>
    {
        _covered.TryRemove(bucket, out _);
        InTransaction(() =>
        {
            Execute(_writer, "DELETE FROM buckets WHERE name = $bucket", ("$bucket", bucket));
            ForgetKeys(bucket);
        });
    });

    /// <summary>
    /// The bucket's keys read again from its files (<paramref name="keys"/>, the keys with a body,
    /// left unsettled, and <paramref name="versioned"/>, those with versions folders, with their
    /// records; in no order), then the bucket covered. Only at start-up, before any request.
    /// </summary>
    /// <returns>How many keys have a body, and how many have versions folders.</returns>
    public (long Keys, long Versioned) Rebuild(string bucket, IEnumerable<string> keys, IEnumerable<IndexedVersionsFolder> versioned, IEnumerable<IndexedUpload> uploads, Action<long> progress)
    {
        Drop(bucket);
        long count = 0, withBodies = 0;
        lock (_writeGate)
        {
            // The keys come in no order: a cache that holds the B-tree's inner pages keeps each insert off the disk.
            Execute(_writer, "PRAGMA cache_size = -65536");
            foreach (var (into, rows) in new[] { (_add, keys.Select(k => (Key: k, Info: (byte[]?)null))), (_addVersioned, versioned.Select(v => (v.Key, Info: v.Records))) })
            {
                using var rowsOf = rows.GetEnumerator();
                for (var more = true; more;)
                {
                    InTransaction(() =>
                    {
                        for (var n = 0; n < RebuildBatch && (more = rowsOf.MoveNext()); n++, count++) Write(into, bucket, rowsOf.Current.Key, rowsOf.Current.Info);
                    });
                    progress(count);
                }
                if (into == _add) withBodies = count;
            }
            InTransaction(() =>
            {
                foreach (var upload in uploads) WriteUpload(_addUpload, bucket, upload);
            });
            Execute(_writer, "INSERT OR IGNORE INTO buckets (name) VALUES ($bucket)", ("$bucket", bucket));
            Execute(_writer, "PRAGMA cache_size = -2000");
            _covered[bucket] = true;
        }
        return (withBodies, count - withBodies);
    }

    /// <summary>
    /// A key whose body or current description is about to change (before any file is touched):
    /// listed from its files until <see cref="Settle"/>; added when new, so the index never lacks a key that has a body.
    /// </summary>
    /// <remarks>
    /// With no room left for it nothing has changed yet, so a write is refused as its body would be
    /// (507); a removal (<paramref name="removing"/>, which frees room) goes on and the index is given up (<see cref="Fail"/>).
    /// </remarks>
    public void Unsettle(string bucket, string key, bool removing = false) => Mark(_unsettle, bucket, key, removing);

    /// <summary>
    /// A key whose versions folder is about to be made or changed (before any file of it is touched,
    /// under the key's lock): seen by version listings from now on, its records read from the folder
    /// until <see cref="SettleVersions"/>. With no room left for it a change is refused, as <see cref="Unsettle"/>'s is
    /// (a removal, which frees room, goes on).
    /// </summary>
    public void UnsettleVersions(string bucket, string key, bool removing) => Mark(_unsettleVersions, bucket, key, removing);

    /// <summary>The records of the key's versions folder as they are now (read under the key's lock); a key no longer named stays so.</summary>
    public void SettleVersions(string bucket, string key, byte[] records) => Conclude(_settleVersions, bucket, key, records);

    /// <summary>
    /// The records of the key's versions folder as <see cref="SettleVersions"/> wrote them; null
    /// when they are unsettled, or the key is not named (read the folder).
    /// </summary>
    public byte[]? SettledVersions(string bucket, string key)
    {
        var reader = Rent();
        try
        {
            var find = reader.FindVersions;
            find.Parameters["$bucket"].Value = bucket;
            find.Parameters["$key"].Value = Bytes(key);
            return find.ExecuteScalar() as byte[];
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    /// <summary>
    /// A key's two rows as one moment has them (one statement reads both): whether it has a row in
    /// <c>keys</c> and its description there (null while unsettled), whether it has one in
    /// <c>versioned</c> and its versions folder's records there (null while unsettled).
    /// </summary>
    public IndexedVersions FindKey(string bucket, string key)
    {
        var reader = Rent();
        try
        {
            var find = reader.FindKey;
            find.Parameters["$bucket"].Value = bucket;
            find.Parameters["$key"].Value = Bytes(key);
            using var row = find.ExecuteReader();
            row.Read();
            return new IndexedVersions(row.GetBoolean(0), row.IsDBNull(1) ? null : (byte[])row[1], row.GetBoolean(2), row.IsDBNull(3) ? null : (byte[])row[3]);
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    /// <summary>An upload about to begin (before its folder is made, under its lock); refused with no room left, as a write is.</summary>
    public void AddUpload(string bucket, IndexedUpload upload)
    {
        if (!Covers(bucket)) return;
        try
        {
            lock (_writeGate) WriteUpload(_addUpload, bucket, upload);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull)
        {
            throw new IOException($"No room left for the listing index {Path}.", e) { HResult = LinuxCalls.NoSpace };
        }
        catch (SqliteException e)
        {
            Fail(e);
        }
    }

    /// <summary>An upload whose folder is gone (completed, aborted, abandoned; after the removal, under its lock).</summary>
    public void RemoveUpload(string bucket, IndexedUpload upload)
    {
        if (!Covers(bucket)) return;
        try
        {
            lock (_writeGate) WriteUpload(_removeUpload, bucket, upload);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull) { }
        catch (SqliteException e)
        {
            Fail(e);
        }
    }

    /// <summary>
    /// The bucket's uploads after <paramref name="after"/> (its key as UTF-8 bytes; an initiated of
    /// -1 takes every upload of that key) and before the key <paramref name="end"/>, in
    /// ListMultipartUploads' order, read as the caller goes.
    /// </summary>
    public IEnumerable<IndexedUpload> Uploads(string bucket, byte[] afterKey, long afterInitiated, string afterId, byte[] end)
    {
        var reader = Rent();
        try
        {
            var seek = reader.SeekUploads;
            seek.Parameters["$bucket"].Value = bucket;
            seek.Parameters["$from"].Value = afterKey;
            seek.Parameters["$initiated"].Value = afterInitiated;
            seek.Parameters["$id"].Value = afterId;
            seek.Parameters["$end"].Value = end;
            using var rows = seek.ExecuteReader();
            while (rows.Read()) yield return new IndexedUpload(Encoding.UTF8.GetString((byte[])rows[0]), rows.GetInt64(1), rows.GetString(2));
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    private void WriteUpload(SqliteCommand command, string bucket, IndexedUpload upload)
    {
        command.Parameters["$initiated"].Value = upload.Initiated;
        command.Parameters["$id"].Value = upload.Id;
        Write(command, bucket, upload.Key);
    }

    /// <summary>A key whose versions folder is gone (after its removal, under the key's lock).</summary>
    public void Unversioned(string bucket, string key) => Conclude(_unversioned, bucket, key);

    private void Mark(SqliteCommand command, string bucket, string key, bool removing)
    {
        if (!Covers(bucket)) return;
        try
        {
            lock (_writeGate) Write(command, bucket, key);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull && !removing)
        {
            throw new IOException($"No room left for the listing index {Path}.", e) { HResult = LinuxCalls.NoSpace };
        }
        catch (SqliteException e)
        {
            Fail(e);
        }
    }

    /// <summary>A key's description as its files hold it now (after the change, under the key's lock).</summary>
    public void Settle(string bucket, string key, byte[] description) => Conclude(_settle, bucket, key, description);

    /// <summary>
    /// Keys' descriptions as their files hold them now (each key's lock held by the caller), in one
    /// transaction: a listing that settles the rows of a page pays one commit, not one a key.
    /// </summary>
    public void Settle(string bucket, IReadOnlyList<(string Key, byte[] Description)> rows)
    {
        if (rows.Count > 0) Conclude(bucket, () => InTransaction(() =>
        {
            foreach (var (key, description) in rows) Write(_settle, bucket, key, description);
        }));
    }

    /// <summary>A key whose body is gone (after the unlink).</summary>
    public void Remove(string bucket, string key) => Conclude(_remove, bucket, key);

    /// <summary>
    /// Settles or removes a row <see cref="Unsettle"/> marked. With no room left for it the row
    /// stays unsettled, which is never wrong: listings read the key's files until a later change settles it.
    /// </summary>
    private void Conclude(SqliteCommand command, string bucket, string key, byte[]? description = null) =>
        Conclude(bucket, () => Write(command, bucket, key, description));

    private void Conclude(string bucket, Action write)
    {
        if (!Covers(bucket)) return;
        try
        {
            lock (_writeGate) write();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteFull) { }
        catch (SqliteException e)
        {
            Fail(e);
        }
    }

    /// <summary>A change under the write lock; one that fails leaves every bucket walked (<see cref="Fail"/>).</summary>
    private void Guarded(Action change)
    {
        try
        {
            lock (_writeGate) change();
        }
        catch (SqliteException e)
        {
            Fail(e);
        }
    }

    /// <summary>
    /// The index could not be read or written (damaged, or no room left for it): from now on every
    /// bucket is walked, as a bucket the index does not cover is, and the file is removed so the
    /// next start rebuilds it from the files. A write goes on all the same: the files are the truth.
    /// </summary>
    public void Fail(SqliteException e)
    {
        if (_covered.IsEmpty) return;
        _covered.Clear();
        // A warning: handled (listings walk; a full disk is the usual cause), and the operator's to fix.
        _log.LogWarning(e, "The listing index {Path} failed (SQLite error {Code}): listings walk the folders until the next start rebuilds it", Path, e.SqliteErrorCode);
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            try { File.Delete(file); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// The bucket's keys from <paramref name="from"/> (inclusive) to <paramref name="end"/>
    /// (exclusive), both as UTF-8 bytes, in S3's order, with their descriptions, read as the caller
    /// goes: a caller that stops early reads no more rows.
    /// </summary>
    public IEnumerable<IndexedKey> Keys(string bucket, byte[] from, byte[] end) => Seek(bucket, from, end, versioned: false);

    /// <summary>The keys that have versions beyond their current body (or may: see <see cref="UnsettleVersions"/>), as <see cref="Keys"/> reads them.</summary>
    public IEnumerable<string> VersionedKeys(string bucket, byte[] from, byte[] end) => Seek(bucket, from, end, versioned: true).Select(k => k.Key);

    private IEnumerable<IndexedKey> Seek(string bucket, byte[] from, byte[] end, bool versioned)
    {
        var reader = Rent();
        try
        {
            var seek = versioned ? reader.SeekVersioned : reader.Seek;
            seek.Parameters["$bucket"].Value = bucket;
            seek.Parameters["$from"].Value = from;
            seek.Parameters["$end"].Value = end;
            using var rows = seek.ExecuteReader();
            while (rows.Read()) yield return new IndexedKey(Encoding.UTF8.GetString((byte[])rows[0]), versioned || rows.IsDBNull(1) ? null : (byte[])rows[1]);
        }
        finally
        {
            _readers.Add(reader);
        }
    }

    /// <summary>An idle reading connection, or a new one; given back to <c>_readers</c> when the caller is done.</summary>
    private IndexReader Rent() => _readers.TryTake(out var idle) ? idle : new IndexReader(Connect());

    /// <summary>The UTF-8 bytes of a key or prefix.</summary>
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Just past every key that starts with <paramref name="prefix"/>: no UTF-8 string holds the
    /// byte 0xFF, so every key starting with the prefix sorts before prefix + 0xFF, and every other
    /// key after it sorts after all of them. A listing skips a whole common prefix with one seek there.
    /// </summary>
    public static byte[] PastPrefix(string prefix)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(prefix) + 1];
        Encoding.UTF8.GetBytes(prefix, bytes);
        bytes[^1] = 0xFF;
        return bytes;
    }

    /// <summary>Just after <paramref name="key"/> itself: the smallest byte string greater than it.</summary>
    public static byte[] After(string key)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(key) + 1];
        Encoding.UTF8.GetBytes(key, bytes);
        return bytes; // ends in 0x00
    }

    /// <summary>Flushes the index and marks it closed: the next start trusts it whatever the boot.</summary>
    public void Dispose()
    {
        lock (_writeGate)
        {
            while (_readers.TryTake(out var reader)) reader.Dispose();
            try
            {
                Execute(_writer, "PRAGMA wal_checkpoint(TRUNCATE)");
                SetMeta(durable: true, ("closed", "true"));
            }
            catch (SqliteException) { } // the next start distrusts it: nothing is lost
            foreach (var command in new[] { _add, _unsettle, _settle, _remove, _addVersioned, _unsettleVersions, _settleVersions, _unversioned, _addUpload, _removeUpload }) command.Dispose();
            _writer.Dispose();
        }
    }

    private void Write(SqliteCommand command, string bucket, string key, byte[]? description = null)
    {
        command.Parameters["$bucket"].Value = bucket;
        command.Parameters["$key"].Value = Bytes(key);
        if (command.Parameters.Contains("$info")) command.Parameters["$info"].Value = (object?)description ?? DBNull.Value;
        command.ExecuteNonQuery();
    }

    private void ForgetAll() => Execute(_writer, "DELETE FROM keys; DELETE FROM versioned; DELETE FROM uploads; DELETE FROM buckets;");

    private void ForgetKeys(string bucket)
    {
        Execute(_writer, "DELETE FROM keys WHERE bucket = $bucket", ("$bucket", bucket));
        Execute(_writer, "DELETE FROM versioned WHERE bucket = $bucket", ("$bucket", bucket));
        Execute(_writer, "DELETE FROM uploads WHERE bucket = $bucket", ("$bucket", bucket));
    }

    private Dictionary<string, string> Meta()
    {
        using var command = _writer.CreateCommand();
        command.CommandText = "SELECT name, value FROM meta";
        using var rows = command.ExecuteReader();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        while (rows.Read()) meta[rows.GetString(0)] = rows.GetString(1);
        return meta;
    }

    private void SetMeta(bool durable, params (string Name, string Value)[] values)
    {
        if (durable) Execute(_writer, "PRAGMA synchronous = FULL");
        InTransaction(() =>
        {
            foreach (var (name, value) in values)
                Execute(_writer, "INSERT OR REPLACE INTO meta (name, value) VALUES ($name, $value)", ("$name", name), ("$value", value));
        });
        if (durable) Execute(_writer, "PRAGMA synchronous = NORMAL");
    }

    /// <summary>
    /// One transaction of the writer, begun and ended in SQL: the writer's prepared statements then
    /// run inside it as they are (ADO.NET's transactions would have each command name it).
    /// </summary>
    private void InTransaction(Action work)
    {
        Execute(_writer, "BEGIN IMMEDIATE");
        try
        {
            work();
        }
        catch
        {
            Execute(_writer, "ROLLBACK");
            throw;
        }
        Execute(_writer, "COMMIT");
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // NORMAL in WAL mode: a commit is not flushed, but survives the process being killed;
        // what a power cut costs is told at the next start (Open).
        Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
        return connection;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in new[] { "$bucket", "$key", "$info", "$from", "$end", "$initiated", "$id" })
            if (sql.Contains(name, StringComparison.Ordinal)) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var rows = command.ExecuteReader();
        var found = new List<string>();
        while (rows.Read()) found.Add(rows.GetString(0));
        return found;
    }

    /// <summary>A connection that reads, with its seeks prepared once.</summary>
    private sealed class IndexReader(SqliteConnection connection) : IDisposable
    {
        public SqliteCommand Seek { get; } = Prepare(connection,
            "SELECT key, info FROM keys WHERE bucket = $bucket AND key >= $from AND key < $end ORDER BY key");

        public SqliteCommand SeekVersioned { get; } = Prepare(connection,
            "SELECT key FROM versioned WHERE bucket = $bucket AND key >= $from AND key < $end ORDER BY key");

        public SqliteCommand FindVersions { get; } = Prepare(connection,
            "SELECT records FROM versioned WHERE bucket = $bucket AND key = $key");

        // One row whatever the key has: each table joined to it once (one seek each).
        public SqliteCommand FindKey { get; } = Prepare(connection,
            "SELECT k.bucket IS NOT NULL, k.info, v.bucket IS NOT NULL, v.records FROM (SELECT 1) " +
            "LEFT JOIN keys k ON k.bucket = $bucket AND k.key = $key " +
            "LEFT JOIN versioned v ON v.bucket = $bucket AND v.key = $key");

        public SqliteCommand SeekUploads { get; } = Prepare(connection,
            "SELECT key, initiated, id FROM uploads WHERE bucket = $bucket AND (key, initiated, id) > ($from, $initiated, $id) AND key < $end ORDER BY key, initiated, id");

        public void Dispose()
        {
            Seek.Dispose();
            SeekVersioned.Dispose();
            FindVersions.Dispose();
            FindKey.Dispose();
            SeekUploads.Dispose();
            connection.Dispose();
        }
    }
}

/// <summary>A key of the index and its description as the store wrote it; null while unsettled (read the files).</summary>
internal readonly record struct IndexedKey(string Key, byte[]? Description);

/// <summary>A key's rows read together (<see cref="ListingIndex.FindKey"/>): which it has, and what each holds (null while unsettled).</summary>
internal readonly record struct IndexedVersions(bool Listed, byte[]? Description, bool Versioned, byte[]? Records);

/// <summary>A key's versions folder as a rebuild reads it: the key, and the folder's records as <see cref="ListingIndex.SettleVersions"/> keeps them (null: left unsettled).</summary>
internal sealed record IndexedVersionsFolder(string Key, byte[]? Records);

/// <summary>A multipart upload in progress as the index names it: its key, when it began (UTC ticks) and its id.</summary>
internal readonly record struct IndexedUpload(string Key, long Initiated, string Id);

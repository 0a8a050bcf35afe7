using Microsoft.Data.Sqlite;

namespace S3Overlay.Tests.Storage;

/// <summary>The listing index's SQLite file as a test reads and changes it behind the store (what a kill or a power cut leaves).</summary>
internal sealed class IndexDatabase(string dataFolder)
{
    public string File => Path.Join(dataFolder, ".s3overlay", "index", "keys.db");

    public SqliteConnection Connect()
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Pooling = false }.ToString());
        db.Open();
        return db;
    }

    public void Run(string sql, params (string Name, object Value)[] parameters)
    {
        using var db = Connect();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    /// <summary>The keys of a bucket in one of the index's tables (<c>keys</c>, <c>versioned</c>), in order.</summary>
    public List<string> Keys(string table, string bucket)
    {
        using var db = Connect();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT key FROM {table} WHERE bucket = $b ORDER BY key";
        command.Parameters.AddWithValue("$b", bucket);
        using var rows = command.ExecuteReader();
        var keys = new List<string>();
        while (rows.Read()) keys.Add(System.Text.Encoding.UTF8.GetString((byte[])rows[0]));
        return keys;
    }
}

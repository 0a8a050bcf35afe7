// The MinIO JavaScript client against the proxy: setBucketVersioning, getBucketVersioning,
// putObject's versionId, statObject/getObject/removeObject of a version, and listObjects with
// IncludeVersion. Prints one JSON line of what it saw; the C# test judges it.
import * as Minio from 'minio'

const url = new URL(process.env.S3_URL)
const client = new Minio.Client({
  endPoint: url.hostname, port: Number(url.port), useSSL: false,
  accessKey: process.env.S3_ACCESS_KEY, secretKey: process.env.S3_SECRET_KEY, pathStyle: true, region: 'us-east-1',
})
const bucket = process.env.S3_BUCKET

async function text(stream) {
  const chunks = []
  for await (const chunk of stream) chunks.push(chunk)
  return Buffer.concat(chunks).toString()
}

async function listVersions() {
  const seen = []
  for await (const entry of client.listObjects(bucket, '', true, { IncludeVersion: true }))
    seen.push({ name: entry.name, versionId: entry.versionId, isLatest: entry.isLatest, isDeleteMarker: entry.isDeleteMarker })
  return seen
}

await client.setBucketVersioning(bucket, { Status: 'Enabled' })
const status = (await client.getBucketVersioning(bucket)).Status
const first = await client.putObject(bucket, 'k.txt', Buffer.from('first'))
const second = await client.putObject(bucket, 'k.txt', Buffer.from('second'))
const stat = await client.statObject(bucket, 'k.txt', { versionId: first.versionId })
const old = await text(await client.getObject(bucket, 'k.txt', { versionId: first.versionId }))
await client.removeObject(bucket, 'k.txt')
const afterDelete = await listVersions()
await client.removeObject(bucket, 'k.txt', { versionId: second.versionId })
const afterRemove = await listVersions()
console.log(JSON.stringify({ status, first: first.versionId, second: second.versionId, statVersion: stat.versionId, old, afterDelete, afterRemove }))

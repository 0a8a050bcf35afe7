// The MinIO JavaScript client against the proxy: setBucketTagging, getBucketTagging,
// removeBucketTagging, and a reserved key refused. Prints one JSON line of what it saw; the C#
// test judges it.
import * as Minio from 'minio'

const url = new URL(process.env.S3_URL)
const client = new Minio.Client({
  endPoint: url.hostname, port: Number(url.port), useSSL: false,
  accessKey: process.env.S3_ACCESS_KEY, secretKey: process.env.S3_SECRET_KEY, pathStyle: true, region: 'us-east-1',
})
const bucket = process.env.S3_BUCKET

const failure = async (call) => {
  try {
    await call()
    return null
  } catch (e) {
    return { code: e.code, message: e.message }
  }
}

const set = await failure(() => client.setBucketTagging(bucket, { project: 'blue', 'team name': 'a b', empty: '' }))
const got = await client.getBucketTagging(bucket)
const refused = await failure(() => client.setBucketTagging(bucket, { 'aws:cost': '1' }))
const kept = await client.getBucketTagging(bucket)
const removed = await failure(() => client.removeBucketTagging(bucket))
const after = await failure(() => client.getBucketTagging(bucket))
console.log(JSON.stringify({ set, got, refused, kept, removed, after }))
// removeBucketTagging leaves its 204 answer unread, which holds the connection (and so this
// process) open until the server's keep-alive timeout: everything is done, so end here.
process.exit(0)

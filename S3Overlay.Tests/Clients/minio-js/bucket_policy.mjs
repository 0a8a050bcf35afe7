// The MinIO JavaScript client against the proxy: setBucketPolicy, getBucketPolicy, and a
// malformed policy refused. Prints one JSON line of what it saw; the C# test judges it.
import * as Minio from 'minio'

const url = new URL(process.env.S3_URL)
const client = new Minio.Client({
  endPoint: url.hostname, port: Number(url.port), useSSL: false,
  accessKey: process.env.S3_ACCESS_KEY, secretKey: process.env.S3_SECRET_KEY, pathStyle: true, region: 'us-east-1',
})
const bucket = process.env.S3_BUCKET
const policy = process.env.S3_POLICY

await client.setBucketPolicy(bucket, policy)
const got = await client.getBucketPolicy(bucket)
let refused = null
try {
  await client.setBucketPolicy(bucket, policy.replace('"Allow"', '"Permit"'))
} catch (e) {
  refused = { code: e.code, message: e.message }
}
await client.setBucketPolicy(bucket, '')
let after = null
try {
  after = await client.getBucketPolicy(bucket)
} catch (e) {
  after = e.code
}
console.log(JSON.stringify({ same: got === policy, refused, after }))

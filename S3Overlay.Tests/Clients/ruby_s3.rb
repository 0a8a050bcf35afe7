# The AWS SDK for Ruby (Debian's ruby-aws-sdk-s3 1.117) on its default paths: put_object and
# get_object with and without a checksum (the SDK validates one when asked), upload_file (multipart
# over its threshold, with a checksum) and download_file (by parts), and conditional writes
# (If-None-Match: *, If-Match) on PutObject and CompleteMultipartUpload, which this SDK has no
# parameter for: a handler adds the header before signing, as applications of this SDK's age do.
#
# Usage: ruby ruby_s3.rb ENDPOINT ACCESS_KEY SECRET_KEY BUCKET WORKDIR [REMOTE_ONLY_KEY]
# With REMOTE_ONLY_KEY (a key the overlay's remote holds and the local store does not), the
# conditional writes only, and also on that key: If-None-Match: * is refused, If-Match with HEAD's
# ETag is not.
# Prints OK at the end; any failure raises with what differed.
require 'aws-sdk-s3'
require 'digest'
require 'zlib'

endpoint, access, secret, bucket, workdir, remote_only = ARGV
s3 = Aws::S3::Client.new(endpoint: endpoint, region: 'us-east-1', force_path_style: true,
                         credentials: Aws::Credentials.new(access, secret), retry_limit: 0)

def check(condition, message)
  raise message unless condition
end

# Sends operation with an extra header the SDK has no parameter for, added before signing.
def with_header(s3, operation, params, name, value)
  request = s3.build_request(operation, params)
  request.handle(step: :build) do |context|
    context.http_request.headers[name] = value
    @handler.call(context)
  end
  request.send_request
end

def refused?(code)
  yield
  false
rescue Aws::S3::Errors::ServiceError => e
  raise "expected #{code}, got #{e.code}: #{e.message}" unless e.code == code
  true
end

small = 'hello from ruby'
s3.put_object(bucket: bucket, key: 'ruby/small.txt', body: small)
check(s3.get_object(bucket: bucket, key: 'ruby/small.txt').body.read == small, 'small object read back differs')

# Checksums the SDK computes and sends, and validates on the way back when asked.
body = Random.new(37).bytes(100_000)
(remote_only ? [] : %w[CRC32 SHA256 SHA1]).each do |algorithm|
  key = "ruby/checksum-#{algorithm}.bin"
  put = s3.put_object(bucket: bucket, key: key, body: body, checksum_algorithm: algorithm)
  expected = { 'CRC32' => [Zlib.crc32(body)].pack('N'), 'SHA256' => Digest::SHA256.digest(body), 'SHA1' => Digest::SHA1.digest(body) }[algorithm]
  sent = put.public_send("checksum_#{algorithm.downcase}")
  check(sent == [expected].pack('m0'), "PutObject #{algorithm}: answered #{sent.inspect}")
  got = s3.get_object(bucket: bucket, key: key, checksum_mode: 'ENABLED')
  check(got.body.read.b == body, "#{algorithm}: bytes differ") # the SDK's string says UTF-8; compared as bytes
  validated = got.context[:http_checksum][:validated]
  check(validated == algorithm, "#{algorithm}: the SDK validated #{validated.inspect}")
end

# upload_file: multipart over its threshold (parts of 5 MiB, each with its CRC32); download_file
# by parts (HEAD ?partNumber=1 for the count, then GET ?partNumber=N on threads).
unless remote_only
  path = File.join(workdir, 'large.bin')
  File.binwrite(path, Random.new(38).bytes(5 * 1024 * 1024 + 1024))
  object = Aws::S3::Resource.new(client: s3).bucket(bucket).object('ruby/large.bin')
  check(object.upload_file(path, multipart_threshold: 5 * 1024 * 1024, checksum_algorithm: 'CRC32'), 'upload_file failed')
  check(object.etag.end_with?('-2"'), "upload_file's ETag #{object.etag} is not of 2 parts")
  copy = File.join(workdir, 'large.copy')
  object.download_file(copy, mode: 'auto')
  check(Digest::SHA256.file(copy) == Digest::SHA256.file(path), 'download_file bytes differ')
end

# Conditional writes on PutObject.
put = { bucket: bucket, key: 'ruby/small.txt', body: 'overwrite' }
check(refused?('PreconditionFailed') { with_header(s3, :put_object, put, 'If-None-Match', '*') }, 'If-None-Match: * replaced an object')
check(refused?('PreconditionFailed') { with_header(s3, :put_object, put, 'If-Match', '"0123456789abcdef0123456789abcdef"') }, 'If-Match with another ETag replaced the object')
etag = s3.head_object(bucket: bucket, key: 'ruby/small.txt').etag
with_header(s3, :put_object, put, 'If-Match', etag)
with_header(s3, :put_object, { bucket: bucket, key: 'ruby/created.txt', body: 'new' }, 'If-None-Match', '*')
check(s3.get_object(bucket: bucket, key: 'ruby/small.txt').body.read == 'overwrite', 'If-Match with its ETag did not write')

# Conditional CompleteMultipartUpload: refused over an existing object, nothing replaced.
upload = s3.create_multipart_upload(bucket: bucket, key: 'ruby/small.txt')
part = s3.upload_part(bucket: bucket, key: 'ruby/small.txt', upload_id: upload.upload_id, part_number: 1, body: 'multipart')
complete = { bucket: bucket, key: 'ruby/small.txt', upload_id: upload.upload_id,
             multipart_upload: { parts: [{ part_number: 1, etag: part.etag }] } }
check(refused?('PreconditionFailed') { with_header(s3, :complete_multipart_upload, complete, 'If-None-Match', '*') }, 'CompleteMultipartUpload with If-None-Match: * replaced an object')
check(s3.get_object(bucket: bucket, key: 'ruby/small.txt').body.read == 'overwrite', 'a refused CompleteMultipartUpload replaced the object')
s3.abort_multipart_upload(bucket: bucket, key: 'ruby/small.txt', upload_id: upload.upload_id)

if remote_only
  # Decided against the object a GET returns, which is the remote's.
  check(refused?('PreconditionFailed') { with_header(s3, :put_object, { bucket: bucket, key: remote_only, body: 'x' }, 'If-None-Match', '*') },
        'If-None-Match: * replaced a remote object')
  etag = s3.head_object(bucket: bucket, key: remote_only).etag
  with_header(s3, :put_object, { bucket: bucket, key: remote_only, body: 'replaced' }, 'If-Match', etag)
  check(s3.get_object(bucket: bucket, key: remote_only).body.read == 'replaced', "If-Match with the remote object's ETag did not write")
end
puts 'OK'

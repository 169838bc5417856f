// Server reflection, protocol version 1 (grpc.reflection.v1.ServerReflection,
// proto/grpc/reflection/v1/reflection.proto), beside the v1alpha service
// that libgrpc++_reflection provides: Debian 12's gRPC 1.51 has no v1, and
// current clients (grpcurl, Postman) ask for v1 first.
#ifndef CARELOG_TOOLS_SERVICE_REFLECTION_V1_H_
#define CARELOG_TOOLS_SERVICE_REFLECTION_V1_H_

#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace carelog {

// Answers from the process's generated descriptor pool: file_by_filename,
// file_containing_symbol and file_containing_extension with the file and its
// transitive dependencies (each file once per response, as gRPC C++'s
// v1alpha does), all_extension_numbers_of_type, and list_services with
// `services`. An unknown file, symbol, type or extension gets an
// error_response NOT_FOUND; a request with none of these set, UNIMPLEMENTED
// (as an error_response: the stream goes on).
class ReflectionV1Service final : public grpc::reflection::v1::ServerReflection::Service {
 public:
  explicit ReflectionV1Service(std::vector<std::string> services)
      : services_(std::move(services)) {}

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>* stream) override;

 private:
  const std::vector<std::string> services_;
};

}  // namespace carelog

#endif  // CARELOG_TOOLS_SERVICE_REFLECTION_V1_H_

#include "tools/service/reflection_v1.h"

#include <set>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/str_cat.h"

namespace carelog {
namespace {

namespace v1 = grpc::reflection::v1;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

void SetError(grpc::StatusCode code, const std::string& message, v1::ServerReflectionResponse* r) {
  r->mutable_error_response()->set_error_code(static_cast<int>(code));
  r->mutable_error_response()->set_error_message(message);
}

// `file` and, depth first, every dependency not yet in this response.
void AddFile(const FileDescriptor* file, std::set<std::string>* sent,
             v1::FileDescriptorResponse* out) {
  if (!sent->insert(file->name()).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  out->add_file_descriptor_proto(proto.SerializeAsString());
  for (int i = 0; i < file->dependency_count(); ++i) AddFile(file->dependency(i), sent, out);
}

}  // namespace

grpc::Status ReflectionV1Service::ServerReflectionInfo(
    grpc::ServerContext* ctx,
    grpc::ServerReaderWriter<v1::ServerReflectionResponse, v1::ServerReflectionRequest>* stream) {
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  v1::ServerReflectionRequest req;
  while (stream->Read(&req)) {
    std::set<std::string> sent;  // files already in this response
    v1::ServerReflectionResponse resp;
    resp.set_valid_host(req.host());
    *resp.mutable_original_request() = req;
    auto send_file = [&](const FileDescriptor* file, const std::string& what) {
      if (file == nullptr) {
        SetError(grpc::StatusCode::NOT_FOUND, absl::StrCat(what, " not found"), &resp);
        return;
      }
      AddFile(file, &sent, resp.mutable_file_descriptor_response());
    };
    switch (req.message_request_case()) {
      case v1::ServerReflectionRequest::kFileByFilename:
        send_file(pool->FindFileByName(req.file_by_filename()),
                  absl::StrCat("file '", req.file_by_filename(), "'"));
        break;
      case v1::ServerReflectionRequest::kFileContainingSymbol:
        send_file(pool->FindFileContainingSymbol(req.file_containing_symbol()),
                  absl::StrCat("symbol '", req.file_containing_symbol(), "'"));
        break;
      case v1::ServerReflectionRequest::kFileContainingExtension: {
        const auto& ext = req.file_containing_extension();
        const auto* type = pool->FindMessageTypeByName(ext.containing_type());
        const auto* field =
            type == nullptr ? nullptr : pool->FindExtensionByNumber(type, ext.extension_number());
        send_file(field == nullptr ? nullptr : field->file(),
                  absl::StrCat("extension ", ext.extension_number(), " of '",
                               ext.containing_type(), "'"));
        break;
      }
      case v1::ServerReflectionRequest::kAllExtensionNumbersOfType: {
        const auto* type = pool->FindMessageTypeByName(req.all_extension_numbers_of_type());
        if (type == nullptr) {
          SetError(grpc::StatusCode::NOT_FOUND,
                   absl::StrCat("type '", req.all_extension_numbers_of_type(), "' not found"),
                   &resp);
          break;
        }
        std::vector<const google::protobuf::FieldDescriptor*> extensions;
        pool->FindAllExtensions(type, &extensions);
        auto* numbers = resp.mutable_all_extension_numbers_response();
        numbers->set_base_type_name(type->full_name());
        for (const auto* f : extensions) numbers->add_extension_number(f->number());
        break;
      }
      case v1::ServerReflectionRequest::kListServices:
        for (const std::string& name : services_) {
          resp.mutable_list_services_response()->add_service()->set_name(name);
        }
        break;
      default:
        SetError(grpc::StatusCode::UNIMPLEMENTED, "no request this server knows is set", &resp);
    }
    if (!stream->Write(resp)) break;
    if (ctx->IsCancelled()) break;
  }
  return grpc::Status::OK;
}

}  // namespace carelog

// Differential: the strict JSON parser against protobuf's own, on arbitrary
// bytes read as a bundle and as a google.protobuf.Struct (any JSON object:
// tlog entry bodies, in-toto statements). The strict parser must never crash,
// and must never accept a document that protobuf refuses or read one
// differently (it may refuse more: duplicate keys, floats for integers,
// non-canonical base64).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "json/proto_json.h"
#include "modelseal/v1/bundle.pb.h"

namespace {

// Aborts if ours accepts `input` as a Message but protobuf refuses it or
// reads it differently.
template <typename Message>
void CheckAgainstProtobuf(const std::string& input) {
  Message ours;
  if (!modelseal::json_internal::ParseJsonToMessage(input, &ours).ok()) {
    return;
  }
  Message reference;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(input, &reference, options)
           .ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(ours, reference)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  CheckAgainstProtobuf<modelseal::v1::Bundle>(input);
  CheckAgainstProtobuf<google::protobuf::Struct>(input);
  return 0;
}

/**
 * The .proto text kube-test-apiserver encodes /openapi/v2 with (written here, loaded with
 * protobufjs at run time; kept in a .ts file so the build ships it without a copy step).
 */
export const OPENAPI_V2_PROTO = `
// The OpenAPI v2 (Swagger 2.0) document as protocol buffers: the subset of messages and the
// field numbers of the gnostic openapi_v2 encoding that kubectl decodes from
// /openapi/v2 (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf).
// Written for kube-test-apiserver; only what the server emits is declared. Maps are encoded as
// ordered (name, value) pairs; vendor extensions, defaults and enums carry their value as YAML.
syntax = "proto3";

package openapi.v2;

message Document {
  string swagger = 1;
  Info info = 2;
  Paths paths = 8;
  Definitions definitions = 9;
}

message Info {
  string title = 1;
  string version = 2;
}

message Paths {
  repeated NamedPathItem path = 2;
}

message NamedPathItem {
  string name = 1;
  PathItem value = 2;
}

message PathItem {
  Operation get = 2;
  Operation put = 3;
  Operation post = 4;
  Operation delete = 5;
  Operation patch = 8;
}

message Operation {
  string description = 3;
  string operation_id = 5;
  repeated string consumes = 7;
  repeated ParametersItem parameters = 8;
  Responses responses = 9;
  repeated NamedAny vendor_extension = 13;
}

message ParametersItem {
  Parameter parameter = 1;
}

message Parameter {
  NonBodyParameter non_body_parameter = 2;
}

message NonBodyParameter {
  QueryParameterSubSchema query_parameter_sub_schema = 3;
}

message QueryParameterSubSchema {
  bool required = 1;
  string in = 2;
  string description = 3;
  string name = 4;
  string type = 6;
}

message Responses {
  repeated NamedResponseValue response_code = 1;
}

message NamedResponseValue {
  string name = 1;
  ResponseValue value = 2;
}

message ResponseValue {
  Response response = 1;
}

message Response {
  string description = 1;
}

message Definitions {
  repeated NamedSchema additional_properties = 1;
}

message NamedSchema {
  string name = 1;
  Schema value = 2;
}

message Schema {
  string _ref = 1;
  string format = 2;
  string title = 3;
  string description = 4;
  Any default = 5;
  double multiple_of = 6;
  double maximum = 7;
  bool exclusive_maximum = 8;
  double minimum = 9;
  bool exclusive_minimum = 10;
  int64 max_length = 11;
  int64 min_length = 12;
  string pattern = 13;
  int64 max_items = 14;
  int64 min_items = 15;
  bool unique_items = 16;
  int64 max_properties = 17;
  int64 min_properties = 18;
  repeated string required = 19;
  repeated Any enum = 20;
  AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22;
  ItemsItem items = 23;
  repeated Schema all_of = 24;
  Properties properties = 25;
  repeated NamedAny vendor_extension = 31;
}

message AdditionalPropertiesItem {
  oneof oneof {
    Schema schema = 1;
    bool boolean = 2;
  }
}

message TypeItem {
  repeated string value = 1;
}

message ItemsItem {
  repeated Schema schema = 1;
}

message Properties {
  repeated NamedSchema additional_properties = 1;
}

message NamedAny {
  string name = 1;
  Any value = 2;
}

message Any {
  string yaml = 2;
}
`;

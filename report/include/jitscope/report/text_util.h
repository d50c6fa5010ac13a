// Small formatting helpers shared by the text renderers.
#pragma once

#include <cstdint>
#include <string>

#include "jitscope/inspector/provenance.h"

namespace jitscope {

/// `text` with & < > " ' as XML/HTML character references, for XML
/// attributes and text (JUnit) and HTML.
std::string xmlEscape(const std::string& text);

/// A SARIF artifact URI for a path: file:// for absolute paths, relative
/// ones as they are.
std::string sarifUri(const std::string& path);

/// A measured difference or tolerance in three significant digits: "0.000643",
/// "1.3e-06", "inf", "nan".
std::string shortNumber(double value);

/// "812 B", "3.4 KiB", "44.6 MiB".
std::string humanBytes(uint64_t bytes);

/// One line of evidence for a provenance verdict, e.g. "4 nodes carry the
/// "4 nodes with a tracer call stack (e.g. model.py:15)".
std::string describeEvidence(const ProvenanceEvidence& evidence);

}  // namespace jitscope

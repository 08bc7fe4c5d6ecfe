//===- CPUTarget.cpp - LLVM target machine, optimization, objects --------===//

#include "lowbit/Target/CPU/CPUCodegen.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>

using namespace llvm;

Expected<lowbit::CPUTarget> lowbit::createCPUTarget(StringRef cpu) {
  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();

  CPUTarget target;
  Triple triple(Triple::normalize(sys::getDefaultTargetTriple()));
  target.triple = triple.str();
  std::string error;
  const Target *llvmTarget = TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return createStringError("no LLVM target for %s: %s",
                             target.triple.c_str(), error.c_str());

  if (cpu == "native") {
    target.cpu = sys::getHostCPUName().str();
    // Sorted so that the feature string, and thus the artifact, does not
    // depend on hash order.
    std::vector<std::string> features;
    for (const auto &feature : sys::getHostCPUFeatures())
      features.push_back((feature.getValue() ? "+" : "-") +
                         feature.getKey().str());
    llvm::sort(features);
    target.featureString = join(features, ",");
  } else {
    target.cpu = cpu.str();
  }

  TargetOptions options;
  target.machine.reset(llvmTarget->createTargetMachine(
      triple, target.cpu, target.featureString, options, Reloc::PIC_,
      std::nullopt, CodeGenOptLevel::Aggressive));
  if (!target.machine)
    return createStringError("could not create an LLVM target machine for %s",
                             target.triple.c_str());
  const MCSubtargetInfo *subtarget = target.machine->getMCSubtargetInfo();
  if (!subtarget->isCPUStringValid(target.cpu))
    return createStringError(
        "unknown CPU '%s' for %s (use an LLVM CPU name such as znver4, "
        "skylake-avx512, x86-64-v3, or 'native')",
        target.cpu.c_str(), target.triple.c_str());
  for (const SubtargetFeatureKV &feature :
       subtarget->getAllProcessorFeatures())
    if (subtarget->getFeatureBits().test(feature.Value))
      target.enabledFeatures.push_back(feature.Key);
  llvm::sort(target.enabledFeatures);
  target.dataLayout =
      target.machine->createDataLayout().getStringRepresentation();
  return target;
}

void lowbit::optimizeLLVMModule(Module &module, const CPUTarget &target,
                                unsigned optLevel) {
  LoopAnalysisManager loopAnalyses;
  FunctionAnalysisManager functionAnalyses;
  CGSCCAnalysisManager cgsccAnalyses;
  ModuleAnalysisManager moduleAnalyses;
  PassBuilder builder(target.machine.get());
  builder.registerModuleAnalyses(moduleAnalyses);
  builder.registerCGSCCAnalyses(cgsccAnalyses);
  builder.registerFunctionAnalyses(functionAnalyses);
  builder.registerLoopAnalyses(loopAnalyses);
  builder.crossRegisterProxies(loopAnalyses, functionAnalyses, cgsccAnalyses,
                               moduleAnalyses);
  OptimizationLevel level = OptimizationLevel::O0;
  switch (optLevel) {
  case 0:
    break;
  case 1:
    level = OptimizationLevel::O1;
    break;
  case 2:
    level = OptimizationLevel::O2;
    break;
  default:
    level = OptimizationLevel::O3;
    break;
  }
  ModulePassManager passes = level == OptimizationLevel::O0
                                 ? builder.buildO0DefaultPipeline(level)
                                 : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, moduleAnalyses);
}

Error lowbit::emitObjectFile(Module &module, const CPUTarget &target,
                             SmallVectorImpl<char> &object) {
  raw_svector_ostream stream(object);
  legacy::PassManager passes;
  if (target.machine->addPassesToEmitFile(passes, stream, nullptr,
                                          CodeGenFileType::ObjectFile))
    return createStringError("LLVM cannot emit object files for %s",
                             target.triple.c_str());
  passes.run(module);
  return Error::success();
}

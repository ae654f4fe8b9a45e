# Builds everything in Release: the launcher and, beside it, the sample worker (Windows twin of build.sh).
#   artifacts/launcher/launcher(.exe)      the launcher executable
#   artifacts/launcher/SampleWorker(.exe)  the sample worker (also the tests' dummy)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location (Split-Path -Parent $PSScriptRoot)

$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$out = 'artifacts/launcher'

# One after the other: both reference src/Launcher.Agent, and parallel builds of it would race in obj/.
foreach ($project in 'src/Launcher/Launcher.csproj', 'src/SampleWorker/SampleWorker.csproj') {
    dotnet publish $project -c Release -o $out -nologo -v quiet -clp:NoSummary
    if ($LASTEXITCODE -ne 0) { throw "build.ps1: FAILED to publish $project (errors above)" }
}

foreach ($name in 'launcher', 'SampleWorker') {
    if (-not (Test-Path "$out/$name") -and -not (Test-Path "$out/$name.exe")) {
        throw "build.ps1: FAILED: $out/$name was not produced"
    }
}
Write-Host "build.ps1: built $out/launcher and $out/SampleWorker (Release)"

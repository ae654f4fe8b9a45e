# Builds (build.ps1), then runs `launcher run` from the repository root (Windows twin of run.sh):
#   scripts/run.ps1                    launcher run (uses ./launcher.json)
#   scripts/run.ps1 --debug            launcher run --debug
#   scripts/run.ps1 --config my.json   launcher run --config my.json (relative to the repository root)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Set-Location (Split-Path -Parent $PSScriptRoot)

& "$PSScriptRoot/build.ps1" | Out-Host

$launcher = if (Test-Path 'artifacts/launcher/launcher.exe') { 'artifacts/launcher/launcher.exe' } else { 'artifacts/launcher/launcher' }
& $launcher run @args
exit $LASTEXITCODE

// The Gradle build for real apps: the Regimen library module and the sample app. It needs the
// Android SDK and NDK, the Android Gradle plugin from Google's Maven repository, Rust with the
// Android targets and cargo-ndk. None of these exist on the development machines, so this build
// has never run there; tests/run compiles the same sources with kotlinc instead (android/README.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "regimen-android"
include(":regimen", ":sample")

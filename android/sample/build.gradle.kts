// The sample app (views built in code). Not run on the development machines: see
// ../settings.gradle.kts.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "org.regimen.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.regimen.sample"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1"
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }

    sourceSets["main"].kotlin.srcDirs("src/main/kotlin")

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    jvmToolchain(17)
    compilerOptions { allWarningsAsErrors.set(true) }
}

dependencies {
    implementation(project(":regimen"))
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.1")
    // For RegimenPushReceiver.answer (the connector's UnifiedPush object) in the pairing screen.
    implementation("org.unifiedpush.android:connector:3.1.2")
}
